// Stripe Elements on the hosted pages, for organizations whose gateway is Stripe: the card
// is typed into Stripe's own frame, Stripe answers a PaymentMethod id (pm_...), and the
// form posts that id as gateway_token. No card number ever reaches Remit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-stripe-key]");
  if (!form || !window.Stripe) {
    return;
  }
  var stripe = window.Stripe(form.getAttribute("data-stripe-key"));
  var card = stripe.elements().create("card");
  card.mount("#stripe-card");
  var errors = document.getElementById("stripe-errors");
  form.addEventListener("submit", function (event) {
    var choice = form.querySelector("input[name=method]:checked");
    if ((choice && choice.value !== "new") || form.elements.gateway_token.value) {
      return;
    }
    event.preventDefault();
    stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
      if (result.error) {
        errors.textContent = result.error.message;
        return;
      }
      form.elements.gateway_token.value = result.paymentMethod.id;
      form.submit();
    });
  });
})();
