// Stripe.js on the hosted pages, for organizations whose gateway is Stripe. No card number,
// IBAN or US account number is posted to Remit: Stripe answers a PaymentMethod id (pm_...)
// and the form posts that id (gateway_token for a card, bank_token for a bank account).
// - A card is typed into Stripe's card Element; an IBAN into its IBAN Element; a US bank
//   account's routing and account numbers go to stripe.createPaymentMethod and the fields
//   are emptied before the form is posted.
// - The 3-D Secure page (form#authenticate) runs the bank's challenge with
//   stripe.handleNextAction, then posts: the server asks Stripe what became of the payment.
(function () {
  "use strict";
  if (!window.Stripe) {
    return;
  }

  var challenge = document.querySelector("form#authenticate[data-stripe-key]");
  if (challenge) {
    var secret = challenge.getAttribute("data-client-secret");
    if (new URLSearchParams(window.location.search).get("payment_intent_client_secret")) {
      // Back from a redirecting challenge: the server asks Stripe how it went.
      challenge.submit();
      return;
    }
    if (!secret) {
      return; // Stripe could not be asked just now: the customer presses Continue
    }
    window.Stripe(challenge.getAttribute("data-stripe-key"))
      .handleNextAction({ clientSecret: secret })
      .then(function (result) {
        if (result.error) {
          document.getElementById("stripe-errors").textContent = result.error.message;
        }
        // Succeeded, failed or abandoned: the server records what Stripe says, once.
        challenge.submit();
      });
    return;
  }

  var form = document.querySelector("form[data-stripe-key]");
  if (!form) {
    return;
  }
  var stripe = window.Stripe(form.getAttribute("data-stripe-key"));
  var elements = stripe.elements();
  var card = null;
  var iban = null;
  if (document.getElementById("stripe-card")) {
    card = elements.create("card");
    card.mount("#stripe-card");
  }
  if (document.getElementById("stripe-iban")) {
    iban = elements.create("iban", { supportedCountries: ["SEPA"] });
    iban.mount("#stripe-iban");
  }

  function chosen() {
    // The invoice page's "method" radios (a saved method, new, new_ach, new_sepa), or
    // checkout's and the portal's "kind" (card, ach, sepa; a hidden input when only cards).
    var picked = form.querySelector("input[name=method]:checked, input[name=kind]:checked");
    var value = picked ? picked.value : form.elements.kind ? form.elements.kind.value : "new";
    return { new: "card", card: "card", new_ach: "ach", ach: "ach", new_sepa: "sepa", sepa: "sepa" }[value] || null;
  }

  form.addEventListener("submit", function (event) {
    var kind = chosen();
    if (!kind) {
      return; // a saved method: nothing to tokenize
    }
    var field = kind === "card" ? form.elements.gateway_token : form.elements.bank_token;
    if (!field || field.value) {
      return;
    }
    event.preventDefault();
    var errors = document.getElementById(kind === "card" ? "stripe-errors" : "stripe-bank-errors");
    var billing = {
      name: form.elements.account_holder ? form.elements.account_holder.value : undefined,
      email: form.getAttribute("data-email") || undefined,
    };
    var request;
    if (kind === "card") {
      request = stripe.createPaymentMethod({ type: "card", card: card });
    } else if (kind === "sepa") {
      request = stripe.createPaymentMethod({ type: "sepa_debit", sepa_debit: iban, billing_details: billing });
    } else {
      request = stripe.createPaymentMethod({
        type: "us_bank_account",
        us_bank_account: {
          routing_number: form.elements.routing_number.value.replace(/\s/g, ""),
          account_number: form.elements.account_number.value.replace(/\s/g, ""),
          account_holder_type: "individual",
          account_type: form.elements.account_type.value,
        },
        billing_details: billing,
      });
    }
    request.then(function (result) {
      if (result.error) {
        errors.textContent = result.error.message;
        return;
      }
      field.value = result.paymentMethod.id;
      if (kind === "ach") {
        form.elements.routing_number.value = "";
        form.elements.account_number.value = "";
      }
      form.submit();
    });
  });
})();
