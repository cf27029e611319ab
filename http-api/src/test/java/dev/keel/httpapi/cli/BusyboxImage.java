package dev.keel.httpapi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The suites' image: a root filesystem of the host's static busybox, as the tarball {@code docker import} takes. */
final class BusyboxImage {

    private static final List<String> APPLETS = List.of("sh", "echo", "sleep", "cat", "ls", "env", "pwd", "hostname",
            "true", "false", "top", "id", "ps", "rm", "touch");

    private BusyboxImage() {
    }

    /** Writes {@code <dir>/rootfs} (busybox, its applets, /tmp, root and nobody) and answers {@code <dir>/busybox.tar}. */
    static Path tarball(Path dir) throws Exception {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Path etc = Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(etc.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        return tar(rootfs, dir.resolve("busybox.tar"));
    }

    /** Writes the tree under {@code rootfs} to {@code tar}, as {@code docker import} takes it, and answers {@code tar}. */
    static Path tar(Path rootfs, Path tar) throws Exception {
        Process process = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
        return tar;
    }
}
