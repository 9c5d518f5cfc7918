# Shared helpers for the scripts in this folder: steps with timing, a summary
# line, and installers that skip what is already there.

STEPS_PASSED=0
STEPS_FAILED=0
FAILED_NAMES=()

# step NAME CMD...: runs CMD, prints how long it took; a failure is counted
# and reported at the end instead of stopping the other suites.
step() {
  local name=$1; shift
  local start=$SECONDS
  echo "=== $name"
  if "$@"; then
    STEPS_PASSED=$((STEPS_PASSED + 1))
    echo "--- ok: $name ($((SECONDS - start)) s)"
  else
    STEPS_FAILED=$((STEPS_FAILED + 1))
    FAILED_NAMES+=("$name")
    echo "--- FAILED: $name ($((SECONDS - start)) s)"
  fi
}

# summary: the closing line, and the exit status.
summary() {
  echo
  for n in "${FAILED_NAMES[@]}"; do echo "failed step: $n"; done
  echo "steps: $STEPS_PASSED passed, $STEPS_FAILED failed"
  [ "$STEPS_FAILED" -eq 0 ]
}

# need_rust_components NAME...: rustup components such as rustfmt, clippy.
need_rust_components() {
  local missing=()
  for c in "$@"; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] || rustup component add "${missing[@]}"
}
