# shellcheck shell=bash
# Sourced by scripts/bench and scripts/soak: builds the project (mvn -B -q -DskipTests package) when the
# ipc-tests classes or runtime libraries are missing or older than any source or pom. The caller sets ROOT and
# TOOL (its name, for messages); CLASSES and LIB are set here.

CLASSES="$ROOT/ipc-tests/target/classes"
LIB="$ROOT/ipc-tests/target/lib"
STAMP="$ROOT/ipc-tests/target/.ipc-tests-build-stamp"

# needs_build CLASS_FILE: true when CLASS_FILE (relative to CLASSES) or the libraries are missing or stale
needs_build() {
    [[ -f "$STAMP" && -d "$LIB" && -f "$CLASSES/$1" ]] || return 0
    compgen -G "$LIB/shmbus-client-*.jar" >/dev/null || return 0
    local newer
    newer="$(find "$ROOT/pom.xml" "$ROOT"/{client,broker,ipc-tests}/pom.xml "$ROOT"/{client,broker,ipc-tests}/src/main \
        -newer "$STAMP" -type f -print -quit 2>/dev/null || true)"
    [[ -n "$newer" ]]
}

build() {
    echo "$TOOL: building (mvn -B -q -DskipTests package) ..." >&2
    local started log
    started="$(date +%s)"
    mkdir -p "$(dirname "$STAMP")"
    touch "$STAMP.building"   # the build's start time: sources edited during the build make the next run rebuild
    log="$(mktemp)"
    if ! (cd "$ROOT" && mvn -B -q -DskipTests package >"$log" 2>&1); then
        # Test sources are compiled even with -DskipTests; a test someone is editing must not stop a tool.
        if (cd "$ROOT" && mvn -B -q -Dmaven.test.skip=true package >"$log.retry" 2>&1); then
            echo "$TOOL: warning: the build failed with test sources and passed without them" \
                "(-Dmaven.test.skip=true); first errors:" >&2
            grep -m 3 '^\[ERROR\] /' "$log" | sed 's/^/    /' >&2 || true
        else
            cat "$log.retry" >&2
            rm -f "$log" "$log.retry"
            echo "$TOOL: build failed: fix the errors above, or run what was built last with --no-build" >&2
            exit 1
        fi
    fi
    rm -f "$log" "$log.retry"
    mv -f "$STAMP.building" "$STAMP"
    echo "$TOOL: build done in $(( $(date +%s) - started )) s" >&2
}
