package dev.keel.os.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the OCI runtime configuration ({@code config.json}, runtime-spec 1.0.2) of a container, with Docker's
 * defaults for what the spec leaves open: mounts, capabilities, masked paths, seccomp, rlimits.
 */
public final class BundleConfig {

    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ObjectMapper json;
    private final String cgroupParent;
    private final String osArch;
    private final long openFilesLimit;
    private final boolean limitsSwap;

    /**
     * @param cgroupParent containers' cgroups are {@code <cgroupParent>/<id>}
     * @param osArch the JVM's {@code os.arch}, which picks the seccomp architectures
     * @param openFilesLimit RLIMIT_NOFILE of container processes (soft and hard)
     * @param limitsSwap the host can limit swap ({@link dev.keel.os.cgroup.CgroupTree#limitsSwap}); without, swap
     *     limits are left out, as dockerd does (the runtime would fail on the missing cgroup file)
     */
    public BundleConfig(ObjectMapper json, String cgroupParent, String osArch, long openFilesLimit,
                        boolean limitsSwap) {
        this.json = json;
        this.cgroupParent = cgroupParent;
        this.osArch = osArch;
        this.openFilesLimit = openFilesLimit;
        this.limitsSwap = limitsSwap;
    }

    public ObjectNode of(ContainerSpec spec, ProcessUser user) {
        ObjectNode config = json.createObjectNode();
        config.put("ociVersion", "1.0.2");
        config.set("process", process(spec.args(), spec.env(), spec.workingDir(), spec.tty(), user, spec.oomScoreAdj()));
        ObjectNode root = config.putObject("root");
        root.put("path", spec.rootfs().toString());
        root.put("readonly", spec.readonlyRootfs());
        config.put("hostname", spec.hostname());
        config.set("mounts", mounts(spec.mounts()));
        config.set("linux", linux(spec));
        return config;
    }

    /** The process part, also the template of an exec's process spec. */
    ObjectNode process(List<String> args, List<String> env, String cwd, boolean tty, ProcessUser user,
                       int oomScoreAdj) {
        ObjectNode process = json.createObjectNode();
        process.put("terminal", tty);
        ObjectNode u = process.putObject("user");
        u.put("uid", user.uid());
        u.put("gid", user.gid());
        if (!user.additionalGids().isEmpty()) {
            ArrayNode gids = u.putArray("additionalGids");
            user.additionalGids().forEach(gids::add);
        }
        ArrayNode argv = process.putArray("args");
        args.forEach(argv::add);
        ArrayNode envArray = process.putArray("env");
        environment(env, user, tty).forEach(envArray::add);
        process.put("cwd", cwd);
        ObjectNode caps = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode a = caps.putArray(set);
            DefaultSecurity.CAPABILITIES.forEach(a::add);
        }
        ObjectNode nofile = process.putArray("rlimits").addObject();
        nofile.put("type", "RLIMIT_NOFILE");
        nofile.put("hard", openFilesLimit);
        nofile.put("soft", openFilesLimit);
        // Docker leaves no_new_privs off unless asked (--security-opt no-new-privileges), so setuid binaries work.
        process.put("noNewPrivileges", false);
        process.put("oomScoreAdj", oomScoreAdj);
        return process;
    }

    private static List<String> environment(List<String> env, ProcessUser user, boolean tty) {
        List<String> result = new ArrayList<>(env);
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
            result.add(0, DEFAULT_PATH);
        }
        if (env.stream().noneMatch(e -> e.startsWith("HOME="))) {
            result.add("HOME=" + user.home());
        }
        if (tty && env.stream().noneMatch(e -> e.startsWith("TERM="))) {
            result.add("TERM=xterm");
        }
        return result;
    }

    private ArrayNode mounts(List<MountSpec> extra) {
        ArrayNode mounts = json.createArrayNode();
        mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(mounts, "/dev/pts", "devpts", "devpts",
            List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev"));
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=67108864"));
        for (MountSpec m : extra) {
            mount(mounts, m.destination(), m.type(), m.source(), m.options());
        }
        return mounts;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        ObjectNode m = mounts.addObject();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        ArrayNode o = m.putArray("options");
        options.forEach(o::add);
    }

    private ObjectNode linux(ContainerSpec spec) {
        ObjectNode linux = json.createObjectNode();
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) {
            namespaces.addObject().put("type", type);
        }
        ObjectNode network = namespaces.addObject().put("type", "network");
        spec.networkNamespace().ifPresent(path -> network.put("path", path.toString()));
        linux.put("cgroupsPath", cgroupParent + "/" + spec.id());
        linux.set("resources", resources(spec.resources()));
        ArrayNode masked = linux.putArray("maskedPaths");
        DefaultSecurity.MASKED_PATHS.forEach(masked::add);
        ArrayNode readonly = linux.putArray("readonlyPaths");
        DefaultSecurity.READONLY_PATHS.forEach(readonly::add);
        linux.set("seccomp", DefaultSecurity.seccompProfile(json, osArch));
        return linux;
    }

    /**
     * What {@code runtime update --resources} reads (the spec's LinuxResources): the limits of {@code r}, where a
     * limit of 0 is sent as -1 (unlimited) so that an update can lift it.
     */
    ObjectNode updatedResources(Resources r) {
        ObjectNode resources = json.createObjectNode();
        putLimits(resources, r, true);
        return resources;
    }

    private ObjectNode resources(Resources r) {
        ObjectNode resources = json.createObjectNode();
        // Deny every device; runc adds back the standard ones (null, zero, full, tty, random, urandom, pts).
        ObjectNode denyAll = resources.putArray("devices").addObject();
        denyAll.put("allow", false);
        denyAll.put("access", "rwm");
        putLimits(resources, r, false);
        return resources;
    }

    /** The limits of {@code r}; those not set are left out, or with {@code lift} written as -1 (unlimited). */
    private void putLimits(ObjectNode resources, Resources r, boolean lift) {
        if (r.memoryBytes() > 0 || lift) {
            ObjectNode memory = resources.putObject("memory").put("limit", orUnlimited(r.memoryBytes()));
            if (limitsSwap && (r.memorySwapBytes() != 0 || lift)) {
                memory.put("swap", r.memorySwapBytes() != 0 ? r.memorySwapBytes() : -1);
            }
        }
        ObjectNode cpu = json.createObjectNode();
        if (r.cpuShares() > 0) {
            cpu.put("shares", r.cpuShares());
        }
        if (r.cpuQuotaMicros() > 0 || lift) {
            cpu.put("quota", orUnlimited(r.cpuQuotaMicros()));
        }
        if (r.cpuPeriodMicros() > 0) {
            cpu.put("period", r.cpuPeriodMicros());
        }
        if (!r.cpusetCpus().isEmpty()) {
            cpu.put("cpus", r.cpusetCpus());
        }
        if (!r.cpusetMems().isEmpty()) {
            cpu.put("mems", r.cpusetMems());
        }
        if (!cpu.isEmpty()) {
            resources.set("cpu", cpu);
        }
        if (r.pidsLimit() > 0 || lift) {
            resources.putObject("pids").put("limit", orUnlimited(r.pidsLimit()));
        }
    }

    private static long orUnlimited(long limit) {
        return limit > 0 ? limit : -1;
    }
}
