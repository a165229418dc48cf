# Sourced by bin/server and bin/test: finds a JDK >= 21 and exports JAVA_HOME for it and for Maven.
# Order: $JAVA_HOME if it is new enough, then /usr/lib/jvm/* newest first, then `java` on PATH.

starling_jdk_major() { # prints the feature version of the JDK at $1, or nothing
    local home=$1 v=""
    if [ -r "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")
    fi
    if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
        v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9][0-9]*\).*/\1/p')
    fi
    [ "$v" = 1 ] && v=8 # 1.8 and older
    echo "$v"
}

starling_find_jdk() {
    local min=21 best="" best_v=0 home v
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        v=$(starling_jdk_major "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
            echo "$JAVA_HOME"
            return 0
        fi
    fi
    # STARLING_JVM_DIR exists for the launcher's own tests.
    for home in "${STARLING_JVM_DIR:-/usr/lib/jvm}"/*/; do
        home=${home%/}
        [ -L "$home" ] && continue # Debian's aliases point at the same JDKs
        [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
        v=$(starling_jdk_major "$home")
        if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then
            best=$home best_v=$v
        fi
    done
    if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
        home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        v=$(starling_jdk_major "$home")
        if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
            best=$home
        fi
    fi
    [ -n "$best" ] && echo "$best"
}

STARLING_JAVA_HOME=$(starling_find_jdk) || true
if [ -z "$STARLING_JAVA_HOME" ]; then
    echo "starling: no JDK 21 or newer found (looked at JAVA_HOME=${JAVA_HOME:-<unset>}, ${STARLING_JVM_DIR:-/usr/lib/jvm}/*, and javac on PATH)." >&2
    echo "starling: install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) or point JAVA_HOME at it." >&2
    exit 1
fi
export JAVA_HOME=$STARLING_JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own libraries call sun.misc.Unsafe, which JDK 24+ warns about on every run.
if [ "$(starling_jdk_major "$JAVA_HOME")" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
