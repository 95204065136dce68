#!/usr/bin/env bash
# The FHIR validator of the tests: a Python venv with the R5 models of `fhir.resources`
# (fhir/validate.py). Safe to run again: an existing venv with the pinned version is kept.
set -euo pipefail
source "$(dirname "$0")/common.sh"

if "$MEDCHAIN_FHIR_PYTHON" -c "import fhir.resources, sys; sys.exit(fhir.resources.__version__ != '8.3.0')" 2>/dev/null; then
  echo "setup-fhir: $MEDCHAIN_FHIR_PYTHON has fhir.resources 8.3.0"
  exit 0
fi
if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv >/dev/null
fi
venv="$(dirname "$(dirname "$MEDCHAIN_FHIR_PYTHON")")"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  fhir.resources==8.3.0 fhir-core==1.1.12 pydantic==2.14.4 pydantic-core==2.50.5 \
  typing-extensions==4.16.0 annotated-types==0.8.0 typing-inspection==0.4.5
echo "setup-fhir: installed fhir.resources 8.3.0 in $venv"
