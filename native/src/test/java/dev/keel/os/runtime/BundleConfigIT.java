package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.os.cgroup.CgroupTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generated config.json under a bare {@code runc run}, without the monitor. */
class BundleConfigIT {

    private static final String CGROUP_PARENT = "/keel-it-bundle";

    private Path testRoot;
    private Path rootfs;
    private HostResidue before;

    @BeforeEach
    void setUp() throws Exception {
        testRoot = Files.createTempDirectory("keel-bundle-");
        rootfs = BusyboxRootfs.create(testRoot.resolve("rootfs"));
        before = HostResidue.snapshot(testRoot, CGROUP_PARENT);
    }

    @AfterEach
    void tearDown() throws Exception {
        new ProcessBuilder("runc", "--root", testRoot.resolve("runc").toString(), "delete", "--force", "b1")
            .redirectErrorStream(true).start().waitFor();
        assertThat(HostResidue.snapshot(testRoot, CGROUP_PARENT)).isEqualTo(before);
        HostResidue.removeCgroupParent(CGROUP_PARENT);
        try (Stream<Path> paths = Files.walk(testRoot)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void shouldRunUnderBareRuncWithTheSpecsUserLimitsAndConfinement() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ContainerSpec spec = ContainerSpec.of("b1", rootfs, List.of("sh", "-c",
                "id -u; hostname; cat /sys/fs/cgroup/pids/pids.max; ulimit -n; grep CapEff /proc/self/status; "
                    + "grep Seccomp: /proc/self/status; touch /proc/sysrq-trigger 2>/dev/null || echo ro-ok; exit 3"))
            .withUser("app", List.of())
            .withHostname("bundle-host")
            .withResources(Resources.NONE.withPidsLimit(50));
        ProcessUser user = UserDatabase.of(rootfs).resolve(spec.user(), spec.additionalGroups());
        Path bundle = Files.createDirectories(testRoot.resolve("bundle"));
        json.writeValue(bundle.resolve("config.json").toFile(),
            new BundleConfig(json, CGROUP_PARENT, System.getProperty("os.arch"), 4096,
                CgroupTree.detect(Path.of("/sys/fs/cgroup")).limitsSwap()).of(spec, user));

        Process runc = new ProcessBuilder("runc", "--root", testRoot.resolve("runc").toString(), "run",
            "--bundle", bundle.toString(), "b1").redirectErrorStream(true).start();
        runc.getOutputStream().close();
        String output = new String(runc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(runc.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(runc.exitValue()).as(output).isEqualTo(3);
        // A non-root process keeps no effective capabilities; seccomp mode 2 is a filter.
        assertThat(output).isEqualTo("1000\nbundle-host\n50\n4096\nCapEff:\t0000000000000000\nSeccomp:\t2\nro-ok\n");
    }
}
