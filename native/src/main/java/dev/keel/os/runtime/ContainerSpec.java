package dev.keel.os.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the runtime needs to run one container: its root filesystem (already mounted or unpacked) and the
 * process, namespaces, mounts and limits. The image's defaults are merged in by the caller.
 *
 * @param id the runtime id; also the cgroup name and the monitor's name. At most 64 characters so that the
 *     attach socket path stays within a unix socket path.
 * @param rootfs absolute host path of the root filesystem
 * @param readonlyRootfs mount the root filesystem read-only
 * @param args the process's argv (argv[0] resolved through PATH inside the container)
 * @param env {@code KEY=value} entries; PATH and HOME get Docker's defaults when absent
 * @param workingDir absolute path inside the container
 * @param user {@code name}, {@code uid}, {@code name:group} or {@code uid:gid}, resolved against the rootfs's
 *     /etc/passwd and /etc/group; empty means root
 * @param additionalGroups extra group names or gids
 * @param tty give the process a pseudo-terminal
 * @param openStdin the monitor keeps a pipe to the process's stdin, fed through the attach socket (Docker's
 *     {@code -i}); without it the process's stdin is /dev/null
 * @param hostname the UTS hostname
 * @param mounts binds and tmpfs mounts on top of the standard ones
 * @param networkNamespace join this existing network namespace (e.g. {@code /run/netns/x}); empty makes a new one
 * @param resources cgroup limits
 * @param oomScoreAdj the process's {@code oom_score_adj} (-1000..1000)
 * @param runtime the OCI runtime to create the container with, by name; empty means the daemon's default
 */
public record ContainerSpec(
    String id,
    Path rootfs,
    boolean readonlyRootfs,
    List<String> args,
    List<String> env,
    String workingDir,
    String user,
    List<String> additionalGroups,
    boolean tty,
    boolean openStdin,
    String hostname,
    List<MountSpec> mounts,
    Optional<Path> networkNamespace,
    Resources resources,
    int oomScoreAdj,
    String runtime) {

    private static final Pattern VALID_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");

    public ContainerSpec {
        if (!VALID_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid container id " + id + ": 1-64 of [a-zA-Z0-9_.-]");
        }
        if (!rootfs.isAbsolute()) {
            throw new IllegalArgumentException("rootfs must be an absolute path: " + rootfs);
        }
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no command specified");
        }
        if (!workingDir.startsWith("/")) {
            throw new IllegalArgumentException("the working directory must be absolute: " + workingDir);
        }
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000) {
            throw new IllegalArgumentException("invalid oom score adjust " + oomScoreAdj + ": -1000..1000");
        }
        for (String entry : env) {
            if (entry.indexOf('=') <= 0) {
                throw new IllegalArgumentException("invalid environment entry, want KEY=value: " + entry);
            }
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
        additionalGroups = List.copyOf(additionalGroups);
        mounts = List.copyOf(mounts);
    }

    /** A container running {@code args} as root in {@code /} with no limits, a new network namespace, hostname = id. */
    public static ContainerSpec of(String id, Path rootfs, List<String> args) {
        return new ContainerSpec(id, rootfs, false, args, List.of(), "/", "", List.of(), false, false,
            id.length() > 12 ? id.substring(0, 12) : id, List.of(), Optional.empty(), Resources.NONE, 0, "");
    }

    public ContainerSpec withUser(String newUser, List<String> groups) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, newUser, groups, tty, openStdin,
            hostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withEnv(List<String> newEnv) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, newEnv, workingDir, user, additionalGroups, tty,
            openStdin, hostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withWorkingDir(String dir) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, dir, user, additionalGroups, tty,
            openStdin, hostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withTty(boolean newTty) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, newTty,
            openStdin, hostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withHostname(String newHostname) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            openStdin, newHostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withMounts(List<MountSpec> newMounts) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            openStdin, hostname, newMounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withNetworkNamespace(Path netns) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            openStdin, hostname, mounts, Optional.of(netns), resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withOpenStdin(boolean open) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            open, hostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }

    public ContainerSpec withResources(Resources newResources) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            openStdin, hostname, mounts, networkNamespace, newResources, oomScoreAdj, runtime);
    }

    public ContainerSpec withOomScoreAdj(int adj) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            openStdin, hostname, mounts, networkNamespace, resources, adj, runtime);
    }

    public ContainerSpec withRuntime(String name) {
        return new ContainerSpec(id, rootfs, readonlyRootfs, args, env, workingDir, user, additionalGroups, tty,
            openStdin, hostname, mounts, networkNamespace, resources, oomScoreAdj, name);
    }

    public ContainerSpec withReadonlyRootfs(boolean readonly) {
        return new ContainerSpec(id, rootfs, readonly, args, env, workingDir, user, additionalGroups, tty,
            openStdin, hostname, mounts, networkNamespace, resources, oomScoreAdj, runtime);
    }
}
