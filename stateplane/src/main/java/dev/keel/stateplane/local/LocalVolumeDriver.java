package dev.keel.stateplane.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.os.archive.ErrnoException;
import dev.keel.os.archive.FileTrees;
import dev.keel.os.archive.Syscalls;
import dev.keel.stateplane.StateplaneSettings;
import dev.keel.stateplane.spi.VolumeDriver;
import dev.keel.stateplane.spi.VolumeFailure;
import dev.keel.stateplane.spi.VolumeFailure.Kind;
import dev.keel.stateplane.spi.VolumeScope;
import dev.keel.stateplane.spi.VolumeUsage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Docker's {@code local} volume driver: each volume is a directory {@code <volumes-root>/<name>/_data}. A volume
 * created with {@code type}, {@code device} and {@code o} options (a tmpfs, a bind of a host directory, anything
 * mount(2) takes) is mounted on its {@code _data} when its first caller mounts it and unmounted when its last caller
 * unmounts it; its options live next to it in {@code opts.json}, so they outlive the daemon.
 *
 * <p>Callers are counted as a set: a caller that mounts twice holds the volume once, so the daemon may repeat a mount
 * or an unmount while it recovers. Which volumes are mounted is read back from the kernel when the driver starts, as
 * Docker does, so a daemon restart neither mounts twice nor loses a mount that containers still use.
 *
 * <p>Every method takes one lock: calls are rare, short (a mkdir, a mount), and never made on an actor thread.
 */
public final class LocalVolumeDriver implements VolumeDriver, VolumeUsage {
    public static final String NAME = "local";

    private static final Pattern NAME_RULE = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
    private static final String NAME_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]";
    private static final String DATA = "_data";
    private static final String OPTIONS_FILE = "opts.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Syscalls syscalls;
    private final Map<String, LocalVolumeOptions> volumes = new TreeMap<>();
    private final Map<String, Set<String>> callers = new HashMap<>();
    /** Volumes with options whose {@code _data} is a mount point right now. */
    private final Set<String> mounted = new HashSet<>();

    public LocalVolumeDriver(StateplaneSettings settings, Syscalls syscalls) {
        this.root = settings.volumesRoot();
        this.syscalls = syscalls;
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx-----x"));
            load();
        } catch (IOException e) {
            throw new VolumeFailure(Kind.FAILED, "cannot open the volumes root " + root + ": " + e.getMessage(), e);
        }
    }

    private void load() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!NAME_RULE.matcher(name).matches()) {
                    continue;
                }
                Path file = dir.resolve(OPTIONS_FILE);
                volumes.put(name, Files.exists(file)
                        ? JSON.readValue(file.toFile(), LocalVolumeOptions.class)
                        : LocalVolumeOptions.of(Map.of()));
            }
        }
        Set<Path> points = MountPoints.current();
        volumes.forEach((name, options) -> {
            if (options.needsMount() && points.contains(data(name))) {
                mounted.add(name);
            }
        });
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public VolumeScope scope() {
        return VolumeScope.LOCAL;
    }

    @Override
    public synchronized void create(String name, Map<String, String> options) {
        validateName(name);
        LocalVolumeOptions requested = LocalVolumeOptions.of(options);
        LocalVolumeOptions existing = volumes.get(name);
        if (existing != null) {
            // Naming a volume without options (-v name:/path) uses it as it is.
            if (!options.isEmpty() && !existing.asMap().equals(requested.asMap())) {
                throw new VolumeFailure(Kind.CONFLICT,
                        "volume \"" + name + "\" already exists with options " + existing.asMap());
            }
            return;
        }
        if (requested.needsMount() && requested.mountOptions().isBind()
                && !Files.exists(Path.of(requested.device()))) {
            throw new VolumeFailure(Kind.INVALID_ARGUMENT,
                    "invalid mount config: bind source path does not exist: " + requested.device());
        }
        Path dir = root.resolve(name);
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-----x"));
            if (requested.needsMount()) {
                Path partial = dir.resolve(OPTIONS_FILE + ".partial");
                Files.write(partial, JSON.writeValueAsBytes(requested));
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
                Files.move(partial, dir.resolve(OPTIONS_FILE), StandardCopyOption.ATOMIC_MOVE);
            }
            Path data = Files.createDirectory(data(name));
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            try {
                FileTrees.deleteRecursively(dir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new VolumeFailure(Kind.FAILED, "error while creating volume " + name + ": " + e.getMessage(), e);
        }
        volumes.put(name, requested);
    }

    @Override
    public synchronized void remove(String name) {
        if (!volumes.containsKey(name)) {
            return;
        }
        if (callers.containsKey(name)) {
            throw new VolumeFailure(Kind.CONFLICT, "volume " + name + " has active mounts");
        }
        unmountData(name);
        Path dir = root.resolve(name);
        try {
            // Deleting through a mount would delete a host directory or another filesystem's content.
            for (Path point : MountPoints.current()) {
                if (point.startsWith(dir)) {
                    throw new VolumeFailure(Kind.FAILED, "volume " + name + " still has a mount at " + point);
                }
            }
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new VolumeFailure(Kind.FAILED, "error while removing volume " + name + ": " + e.getMessage(), e);
        }
        volumes.remove(name);
    }

    @Override
    public synchronized Path mount(String name, String callerId) {
        LocalVolumeOptions options = volumes.get(name);
        if (options == null) {
            throw new VolumeFailure(Kind.NOT_FOUND, "no such volume: " + name);
        }
        if (options.needsMount() && !mounted.contains(name)) {
            mountData(name, options);
            mounted.add(name);
        }
        callers.computeIfAbsent(name, n -> new HashSet<>()).add(callerId);
        return data(name);
    }

    @Override
    public synchronized void unmount(String name, String callerId) {
        Set<String> holders = callers.get(name);
        if (holders == null || !holders.remove(callerId)) {
            return;
        }
        if (!holders.isEmpty()) {
            return;
        }
        callers.remove(name);
        try {
            unmountData(name);
        } catch (VolumeFailure e) {
            // Still held, so that the daemon's retry of this unmount tries again.
            callers.computeIfAbsent(name, n -> new HashSet<>()).add(callerId);
            throw e;
        }
    }

    @Override
    public synchronized Optional<Path> path(String name) {
        return volumes.containsKey(name) ? Optional.of(data(name)) : Optional.empty();
    }

    @Override
    public synchronized Optional<VolumeInfo> get(String name) {
        return volumes.containsKey(name) ? Optional.of(info(name)) : Optional.empty();
    }

    @Override
    public synchronized List<VolumeInfo> list() {
        return volumes.keySet().stream().map(this::info).toList();
    }

    @Override
    public long sizeBytes(String name) {
        Path data;
        synchronized (this) {
            if (!volumes.containsKey(name)) {
                return -1;
            }
            data = data(name);
        }
        return DirectorySize.of(data);
    }

    private VolumeInfo info(String name) {
        return new VolumeInfo(name, Optional.of(data(name)), createdAt(root.resolve(name)), Map.of());
    }

    /** Docker's CreatedAt: the volume directory's change time, in RFC 3339. */
    private static String createdAt(Path dir) {
        try {
            FileTime ctime = (FileTime) Files.getAttribute(dir, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    ctime.toInstant().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
        } catch (IOException e) {
            return "";
        }
    }

    private void mountData(String name, LocalVolumeOptions options) {
        MountOptions mount = options.mountOptions();
        String target = data(name).toString();
        String data = mount.data().isEmpty() ? null : mount.data();
        String described = "mount " + options.device() + ":" + target
                + (mount.flags() == 0 ? "" : ", flags: 0x" + Long.toHexString(mount.flags()))
                + (mount.data().isEmpty() ? "" : ", data: " + mount.data());
        try {
            syscalls.mount(options.device(), target, options.type(), mount.flags(), data);
        } catch (ErrnoException e) {
            throw new VolumeFailure(Kind.FAILED, "failed to mount local volume: " + described + ": " + reason(e), e);
        }
        try {
            if (mount.propagation() != 0) {
                syscalls.mount("", target, "", mount.propagation(), null);
            }
            if (mount.needsReadOnlyRemount()) {
                syscalls.mount("", target, "", mount.flags() | MountOptions.MS_REMOUNT, null);
            }
        } catch (ErrnoException e) {
            try {
                syscalls.unmount(target);
            } catch (ErrnoException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new VolumeFailure(Kind.FAILED, "failed to mount local volume: " + described + ": " + reason(e), e);
        }
    }

    private void unmountData(String name) {
        if (!mounted.contains(name)) {
            return;
        }
        try {
            syscalls.unmount(data(name).toString());
        } catch (ErrnoException e) {
            throw new VolumeFailure(Kind.FAILED, "failed to unmount local volume " + name + ": " + reason(e), e);
        }
        mounted.remove(name);
    }

    private Path data(String name) {
        return root.resolve(name).resolve(DATA);
    }

    private static void validateName(String name) {
        if (name.length() == 1) {
            throw new VolumeFailure(Kind.INVALID_ARGUMENT,
                    "volume name is too short, names should be at least two alphanumeric characters");
        }
        if (!NAME_RULE.matcher(name).matches()) {
            throw new VolumeFailure(Kind.INVALID_ARGUMENT, "\"" + name + "\" includes invalid characters for a local"
                    + " volume name, only \"" + NAME_CHARS + "\" are allowed. If you intended to pass a host directory,"
                    + " use absolute path");
        }
    }

    /** The kernel's words from an {@link ErrnoException}, whose message is "call path: reason". */
    private static String reason(ErrnoException e) {
        String message = e.getMessage();
        return message.substring(message.lastIndexOf(": ") + 2);
    }
}
