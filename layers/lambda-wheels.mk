# What both layer Makefiles hand pip to fetch wheels for Lambda rather than for this machine
# (included by path, so SAM's copy of a layer folder still finds it).
#
# pip matches a --platform tag exactly: `manylinux2014_aarch64` alone misses every wheel
# tagged only with a later glibc (zopfli 0.4.3 is manylinux_2_24/_2_28, Pillow 13
# manylinux_2_27/_2_28). So each runtime gets every manylinux tag its OS's glibc accepts:
# Lambda's python3.11 runs on Amazon Linux 2 (glibc 2.26), python3.12 and python3.13 on
# Amazon Linux 2023 (glibc 2.34). A wheel that needs more than that is not fetched at all,
# rather than fetched and failing to load in Lambda.
# tests/build/test_layer_wheels.py resolves both layers' pins with these same arguments
# (`make print-pip-targets`) for every PythonRuntime the template allows.
LAYER_PYTHON_VERSIONS ?= 3.12 3.11 3.13
LAMBDA_ARCH := aarch64
LAMBDA_GLIBC_MINOR_3.11 := 26
LAMBDA_GLIBC_MINOR_3.12 := 34
LAMBDA_GLIBC_MINOR_3.13 := 34

# $(call lambda_wheel_args,3.12): the pip options that pick wheels for that runtime.
lambda_wheel_args = --only-binary=:all: --implementation cp --python-version $(1) \
	--platform manylinux2014_$(LAMBDA_ARCH) \
	$(foreach n,$(shell seq 17 $(or $(LAMBDA_GLIBC_MINOR_$(1)),$(error no glibc known for Lambda's Python $(1)))),--platform manylinux_2_$(n)_$(LAMBDA_ARCH))

# One line per runtime: "<version> <pip options>".
.PHONY: print-pip-targets
print-pip-targets:
	@$(foreach v,$(LAYER_PYTHON_VERSIONS),echo "$(v) $(call lambda_wheel_args,$(v))";)

# $(call install_layer_python,DIR): requirements.txt, pinned and --no-deps, into DIR/python.
# Compiled wheels are tied to one Python ABI, and a layer declares every runtime the
# template's PythonRuntime allows. So the whole set is installed for the first version and
# only the extension modules (*.so) of the others are added beside them:
# _pydantic_core.cpython-311-...so, -312-, -313- coexist and each runtime loads its own.
# Console scripts carry this machine's interpreter path; nothing in Lambda runs them.
PYTHON ?= python3
install_layer_python = rm -rf "$(1)/python" "$(1)/.abi" && \
	$(foreach v,$(LAYER_PYTHON_VERSIONS),echo "pip: requirements.txt for Lambda's Python $(v)" && \
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile \
		--requirement requirements.txt --no-deps $(call lambda_wheel_args,$(v)) --target "$(1)/.abi/$(v)" && \
	if [ ! -d "$(1)/python" ]; then cp -R "$(1)/.abi/$(v)" "$(1)/python"; \
	else (cd "$(1)/.abi/$(v)" && find . -name '*.so' | tar -cf - -T -) | (cd "$(1)/python" && tar -xf -); fi && ) \
	rm -rf "$(1)/.abi" "$(1)/python/bin"
