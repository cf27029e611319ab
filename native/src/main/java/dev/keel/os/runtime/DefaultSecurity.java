package dev.keel.os.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Docker's default confinement of a container: its capability set, the /proc and /sys paths it masks or makes
 * read-only, and a seccomp profile.
 *
 * <p>The seccomp profile ({@code seccomp-default.json} next to this class) follows Docker's default: an allow list
 * of about 360 syscalls with EPERM for the rest, {@code personality} limited to the safe personas, {@code clone}
 * without namespace flags and {@code clone3} answering ENOSYS so libcs fall back to {@code clone}. It leaves out
 * Docker's capability-conditional rules because the default capability set never grants CAP_SYS_ADMIN and friends.
 */
final class DefaultSecurity {

    static final List<String> CAPABILITIES = List.of(
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE");

    static final List<String> MASKED_PATHS = List.of(
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap");

    static final List<String> READONLY_PATHS = List.of(
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private DefaultSecurity() {}

    /** The default seccomp profile for the JVM's architecture (and its 32-bit companions). */
    static ObjectNode seccompProfile(ObjectMapper json, String osArch) {
        try (InputStream in = DefaultSecurity.class.getResourceAsStream("seccomp-default.json")) {
            if (in == null) {
                throw new IllegalStateException("seccomp-default.json is missing from the classpath");
            }
            ObjectNode profile = (ObjectNode) json.readTree(in);
            var architectures = profile.putArray("architectures");
            switch (osArch) {
                case "amd64", "x86_64" -> architectures.add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86").add("SCMP_ARCH_X32");
                case "aarch64" -> architectures.add("SCMP_ARCH_AARCH64").add("SCMP_ARCH_ARM");
                default -> throw new IllegalStateException("no seccomp architecture known for " + osArch);
            }
            return profile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
