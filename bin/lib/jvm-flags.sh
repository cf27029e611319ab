# Sourced by bin/ scripts: the JVM flags every Keel JVM runs with, read from the root pom's
# keel.jvm.flags so that Maven's tests, keeld and the benchmarks cannot drift apart.
keel_jvm_flags() {
  sed -n 's:.*<keel.jvm.flags>\(.*\)</keel.jvm.flags>.*:\1:p' "$1/pom.xml"
}
