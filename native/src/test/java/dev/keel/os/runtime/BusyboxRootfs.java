package dev.keel.os.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** A root filesystem made from the host's static busybox, with root, app (1000) and nobody users. */
public final class BusyboxRootfs {

    static final Path BUSYBOX = Path.of("/usr/bin/busybox");

    private BusyboxRootfs() {}

    public static Path create(Path dir) throws IOException, InterruptedException {
        for (String d : List.of("bin", "proc", "sys", "dev", "etc", "tmp", "root", "run", "home/app")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(BUSYBOX, dir.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
        String applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (list.waitFor() != 0) {
            throw new IOException("busybox --list failed: " + applets);
        }
        for (String applet : applets.split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(dir.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
            }
        }
        Files.writeString(dir.resolve("etc/passwd"), String.join("\n",
            "root:x:0:0:root:/root:/bin/sh",
            "app:x:1000:1000:app:/home/app:/bin/sh",
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false", ""));
        Files.writeString(dir.resolve("etc/group"), String.join("\n",
            "root:x:0:", "tty:x:5:", "app:x:1000:", "extra:x:2000:app", "nobody:x:65534:", ""));
        return dir;
    }
}
