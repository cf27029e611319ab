package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BundleConfigTest {

    private final ObjectMapper json = new ObjectMapper();
    private final BundleConfig bundles = new BundleConfig(json, "/keel", "amd64", 1_048_576L, true);
    private final ProcessUser app = new ProcessUser(1000, 1000, List.of(2000), "/home/app");

    private final ContainerSpec full = ContainerSpec.of("c1", Path.of("/var/lib/keel/c1/merged"), List.of("sh", "-c", "x"))
        .withEnv(List.of("A=1"))
        .withWorkingDir("/srv")
        .withHostname("web")
        .withMounts(List.of(MountSpec.bind("/data", "/mnt/data", true), MountSpec.tmpfs("/run", List.of("size=1m"))))
        .withNetworkNamespace(Path.of("/run/netns/n1"))
        .withResources(new Resources(64L << 20, 128L << 20, 512, 50_000, 100_000, "0-1", "0", 100))
        .withOomScoreAdj(300);

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void shouldDescribeTheProcess() {
        JsonNode process = bundles.of(full, app).get("process");

        assertThat(texts(process.get("args"))).containsExactly("sh", "-c", "x");
        assertThat(texts(process.get("env"))).containsExactly(BundleConfig.DEFAULT_PATH, "A=1", "HOME=/home/app");
        assertThat(process.get("cwd").asText()).isEqualTo("/srv");
        assertThat(process.get("terminal").asBoolean()).isFalse();
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(1000);
        assertThat(process.get("user").get("gid").asInt()).isEqualTo(1000);
        assertThat(process.get("user").get("additionalGids").get(0).asInt()).isEqualTo(2000);
        assertThat(process.get("oomScoreAdj").asInt()).isEqualTo(300);
        assertThat(process.get("noNewPrivileges").asBoolean()).isFalse();
    }

    @Test
    void shouldGrantDockersDefaultCapabilitiesOnly() {
        JsonNode caps = bundles.of(full, app).get("process").get("capabilities");

        for (String set : List.of("bounding", "effective", "permitted")) {
            assertThat(texts(caps.get(set))).hasSize(14).contains("CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL")
                .doesNotContain("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE");
        }
        assertThat(caps.has("inheritable")).isFalse();
    }

    @Test
    void shouldRaiseTheOpenFilesLimit() {
        JsonNode rlimit = bundles.of(full, app).get("process").get("rlimits").get(0);

        assertThat(rlimit.get("type").asText()).isEqualTo("RLIMIT_NOFILE");
        assertThat(rlimit.get("hard").asLong()).isEqualTo(1_048_576L);
        assertThat(rlimit.get("soft").asLong()).isEqualTo(1_048_576L);
    }

    @Test
    void shouldMountTheStandardFilesystemsThenTheSpecsOwn() {
        JsonNode mounts = bundles.of(full, app).get("mounts");
        List<String> destinations = new ArrayList<>();
        mounts.forEach(m -> destinations.add(m.get("destination").asText()));

        assertThat(destinations).containsExactly("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue",
            "/dev/shm", "/mnt/data", "/run");
        assertThat(texts(mounts.get(3).get("options"))).contains("ro");
        assertThat(texts(mounts.get(6).get("options"))).contains("size=67108864");
        assertThat(mounts.get(7).get("type").asText()).isEqualTo("bind");
        assertThat(texts(mounts.get(7).get("options"))).containsExactly("rbind", "rprivate", "ro");
        assertThat(texts(mounts.get(8).get("options"))).containsExactly("nosuid", "nodev", "noexec", "size=1m");
    }

    @Test
    void shouldJoinTheGivenNetworkNamespaceAndMakeTheOthers() {
        JsonNode namespaces = bundles.of(full, app).get("linux").get("namespaces");
        List<String> types = new ArrayList<>();
        namespaces.forEach(n -> types.add(n.get("type").asText()));

        assertThat(types).containsExactly("pid", "ipc", "uts", "mount", "network");
        assertThat(namespaces.get(4).get("path").asText()).isEqualTo("/run/netns/n1");
        assertThat(namespaces.get(0).has("path")).isFalse();
    }

    @Test
    void shouldMakeANewNetworkNamespaceByDefault() {
        ContainerSpec plain = ContainerSpec.of("c2", Path.of("/r"), List.of("true"));

        JsonNode network = bundles.of(plain, app).get("linux").get("namespaces").get(4);

        assertThat(network.get("type").asText()).isEqualTo("network");
        assertThat(network.has("path")).isFalse();
    }

    @Test
    void shouldPutLimitsInTheContainersOwnCgroup() {
        JsonNode linux = bundles.of(full, app).get("linux");
        JsonNode resources = linux.get("resources");

        assertThat(linux.get("cgroupsPath").asText()).isEqualTo("/keel/c1");
        assertThat(resources.get("memory").get("limit").asLong()).isEqualTo(64L << 20);
        assertThat(resources.get("cpu").get("shares").asLong()).isEqualTo(512);
        assertThat(resources.get("cpu").get("quota").asLong()).isEqualTo(50_000);
        assertThat(resources.get("cpu").get("period").asLong()).isEqualTo(100_000);
        assertThat(resources.get("cpu").get("cpus").asText()).isEqualTo("0-1");
        assertThat(resources.get("cpu").get("mems").asText()).isEqualTo("0");
        assertThat(resources.get("pids").get("limit").asLong()).isEqualTo(100);
        assertThat(resources.get("devices").get(0).get("allow").asBoolean()).isFalse();
    }

    @Test
    void shouldLeaveUnsetLimitsOut() {
        JsonNode resources = bundles.of(ContainerSpec.of("c3", Path.of("/r"), List.of("true")), app)
            .get("linux").get("resources");

        assertThat(resources.has("memory")).isFalse();
        assertThat(resources.has("cpu")).isFalse();
        assertThat(resources.has("pids")).isFalse();
    }

    @Test
    void shouldMaskAndProtectDockersPaths() {
        JsonNode linux = bundles.of(full, app).get("linux");

        assertThat(texts(linux.get("maskedPaths"))).contains("/proc/kcore", "/proc/keys", "/sys/firmware");
        assertThat(texts(linux.get("readonlyPaths"))).contains("/proc/sys", "/proc/sysrq-trigger");
    }

    @Test
    void shouldConfineSyscallsWithAnAllowListForTheHostArchitecture() {
        JsonNode seccomp = bundles.of(full, app).get("linux").get("seccomp");

        assertThat(seccomp.get("defaultAction").asText()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(texts(seccomp.get("architectures"))).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
            "SCMP_ARCH_X32");
        List<String> allowed = texts(seccomp.get("syscalls").get(0).get("names"));
        assertThat(allowed).contains("read", "execve", "wait4", "rt_sigaction", "nanosleep")
            .doesNotContain("mount", "reboot", "kexec_load", "init_module", "unshare", "setns", "keyctl");
    }

    @Test
    void shouldDescribeRootAndHostname() {
        JsonNode config = bundles.of(full.withReadonlyRootfs(true), app);

        assertThat(config.get("ociVersion").asText()).isEqualTo("1.0.2");
        assertThat(config.get("root").get("path").asText()).isEqualTo("/var/lib/keel/c1/merged");
        assertThat(config.get("root").get("readonly").asBoolean()).isTrue();
        assertThat(config.get("hostname").asText()).isEqualTo("web");
    }

    @Test
    void shouldGiveATerminalProcessATerm() {
        JsonNode process = bundles.of(full.withTty(true), app).get("process");

        assertThat(process.get("terminal").asBoolean()).isTrue();
        assertThat(texts(process.get("env"))).contains("TERM=xterm");
    }

    @Test
    void shouldSendTheLimitsOfAnUpdateAndLiftThoseThatAreZero() {
        JsonNode update = bundles.updatedResources(new Resources(64L << 20, 0, 512, 0, 0, "0", "", 0));

        assertThat(update.path("memory").path("limit").asLong()).isEqualTo(64L << 20);
        assertThat(update.path("memory").path("swap").asLong()).isEqualTo(-1);
        assertThat(update.path("cpu").path("shares").asLong()).isEqualTo(512);
        assertThat(update.path("cpu").path("quota").asLong()).isEqualTo(-1);
        assertThat(update.path("cpu").path("cpus").asText()).isEqualTo("0");
        assertThat(update.path("cpu").has("period")).isFalse();
        assertThat(update.path("cpu").has("mems")).isFalse();
        assertThat(update.path("pids").path("limit").asLong()).isEqualTo(-1);
    }

    @Test
    void shouldLeaveSwapOutWhereTheHostCannotLimitIt() {
        Resources limits = new Resources(64L << 20, 128L << 20, 0, 0, 0, "", "", 0);
        BundleConfig withoutSwap = new BundleConfig(json, "/keel", "amd64", 1_048_576L, false);

        JsonNode memory = bundles.of(full.withResources(limits), app).path("linux").path("resources").path("memory");
        JsonNode memoryWithout = withoutSwap.of(full.withResources(limits), app).path("linux").path("resources")
            .path("memory");

        assertThat(memory.path("swap").asLong()).isEqualTo(128L << 20);
        assertThat(memoryWithout.path("limit").asLong()).isEqualTo(64L << 20);
        assertThat(memoryWithout.has("swap")).isFalse();
        assertThat(withoutSwap.updatedResources(limits).path("memory").has("swap")).isFalse();
    }
}
