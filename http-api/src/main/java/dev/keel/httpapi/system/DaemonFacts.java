package dev.keel.httpapi.system;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code GET /version} and {@code GET /info} tell about this daemon and its host beyond the engine's objects:
 * read once when keeld starts.
 *
 * @param engineId         this host's engine id ({@code <data-root>/engine-id})
 * @param name             the host name
 * @param dataRoot         {@code --data-root}
 * @param serverVersion    keeld's version
 * @param buildTime        when keeld's code was built (its jar's time), empty when unknown
 * @param kernelVersion    {@code uname -r}
 * @param operatingSystem  PRETTY_NAME of os-release
 * @param osVersion        VERSION_ID of os-release
 * @param machine          {@code uname -m} ("x86_64"), Docker's {@code Architecture} in /info
 * @param cpus             CPUs keeld may use
 * @param memTotalBytes    the host's memory
 * @param cgroupVersion    "1" or "2"
 * @param cgroupControllers the controllers containers can be limited by ("memory", "cpu", "pids", ...)
 * @param runtimes         the OCI runtimes containers can be created with: name to binary
 * @param defaultRuntime   the runtime of a container created without one
 */
public record DaemonFacts(String engineId, String name, Path dataRoot, String serverVersion, Optional<Instant> buildTime,
                          String kernelVersion, String operatingSystem, String osVersion, String machine, int cpus,
                          long memTotalBytes, String cgroupVersion, Set<String> cgroupControllers,
                          Map<String, Path> runtimes, String defaultRuntime) {

    public DaemonFacts {
        cgroupControllers = Set.copyOf(cgroupControllers);
        runtimes = Collections.unmodifiableMap(new TreeMap<>(runtimes));
    }

    /** Reads the host's side: kernel, os-release, cgroup hierarchy and the build time of this code. */
    public static DaemonFacts read(String engineId, String name, Path dataRoot, String serverVersion, int cpus,
                                   long memTotalBytes, Map<String, Path> runtimes,
                                   String defaultRuntime) throws IOException {
        Path cgroupRoot = Path.of("/sys/fs/cgroup");
        boolean unified = Files.exists(cgroupRoot.resolve("cgroup.controllers"));
        Set<String> controllers = unified
                ? Set.of(Files.readString(cgroupRoot.resolve("cgroup.controllers")).trim().split("\\s+"))
                : Set.of("memory", "cpu", "cpuset", "pids", "blkio").stream()
                        .filter(c -> Files.isDirectory(cgroupRoot.resolve(c))).collect(java.util.stream.Collectors.toSet());
        return new DaemonFacts(engineId, name, dataRoot, serverVersion, jarTime(),
                Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(),
                osRelease("PRETTY_NAME").orElse("Linux"), osRelease("VERSION_ID").orElse(""),
                machine(System.getProperty("os.arch")), cpus, memTotalBytes, unified ? "2" : "1", controllers, runtimes,
                defaultRuntime);
    }

    /** Go's name of the architecture ("amd64", "arm64"), Docker's {@code Arch} in /version. */
    public String goArch() {
        return switch (machine) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> machine;
        };
    }

    static String machine(String javaArch) {
        return switch (javaArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> javaArch;
        };
    }

    private static Optional<String> osRelease(String key) throws IOException {
        Path file = Files.exists(Path.of("/etc/os-release")) ? Path.of("/etc/os-release") : Path.of("/usr/lib/os-release");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Files.readAllLines(file).stream()
                .filter(line -> line.startsWith(key + "="))
                .map(line -> line.substring(key.length() + 1).replaceAll("^\"|\"$", ""))
                .findFirst();
    }

    private static Optional<Instant> jarTime() throws IOException {
        java.security.CodeSource source = DaemonFacts.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.getLastModifiedTime(Path.of(source.getLocation().toURI())).toInstant());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
