package dev.keel.httpapi.system;

import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.image.ImageEntity;
import dev.keel.httpapi.image.ImageCodec;
import dev.keel.httpapi.route.ApiVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The System group's wire shapes (SystemVersion, SystemInfo, SystemDataUsageResponse of API 1.41), built from the
 * engine's objects and the {@link DaemonFacts}. Kernel knobs that change while keeld runs (forwarding, bridge
 * netfilter) are read at each call, as dockerd does.
 */
final class SystemCodec {

    private final DaemonFacts daemon;
    private final Clock clock;

    SystemCodec(DaemonFacts daemon, Clock clock) {
        this.daemon = daemon;
        this.clock = clock;
    }

    Map<String, Object> version() {
        String buildTime = daemon.buildTime().map(Instant::toString).orElse("");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ApiVersion", ApiVersion.MAX.toString());
        details.put("Arch", daemon.goArch());
        details.put("BuildTime", buildTime);
        details.put("Experimental", "false");
        details.put("GitCommit", "");
        details.put("GoVersion", javaVersion());
        details.put("KernelVersion", daemon.kernelVersion());
        details.put("MinAPIVersion", ApiVersion.MIN.toString());
        details.put("Os", "linux");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Platform", Map.of("Name", "Keel Engine"));
        out.put("Components", List.of(Map.of("Name", "Engine", "Version", daemon.serverVersion(), "Details", details)));
        out.put("Version", daemon.serverVersion());
        out.put("ApiVersion", ApiVersion.MAX.toString());
        out.put("MinAPIVersion", ApiVersion.MIN.toString());
        out.put("GitCommit", "");
        out.put("GoVersion", javaVersion());
        out.put("Os", "linux");
        out.put("Arch", daemon.goArch());
        out.put("KernelVersion", daemon.kernelVersion());
        out.put("BuildTime", buildTime);
        return out;
    }

    Map<String, Object> info(List<ContainerEntity.State> containers, int images) {
        long running = containers.stream().filter(ContainerEntity.State::isRunning).count();
        long paused = containers.stream().filter(ContainerEntity.State::isPaused).count();
        boolean memory = daemon.cgroupControllers().contains("memory");
        boolean cpu = daemon.cgroupControllers().contains("cpu");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ID", daemon.engineId());
        out.put("Containers", containers.size());
        out.put("ContainersRunning", running);
        out.put("ContainersPaused", paused);
        out.put("ContainersStopped", containers.size() - running - paused);
        out.put("Images", images);
        out.put("Driver", "overlay2");
        out.put("DriverStatus", List.of(List.of("Backing Filesystem", backingFilesystem())));
        out.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("bridge", "host", "null"),
                "Log", List.of("json-file")));
        out.put("MemoryLimit", memory);
        out.put("SwapLimit", memory);
        out.put("KernelMemory", false);
        out.put("KernelMemoryTCP", false);
        out.put("CpuCfsPeriod", cpu);
        out.put("CpuCfsQuota", cpu);
        out.put("CPUShares", cpu);
        out.put("CPUSet", daemon.cgroupControllers().contains("cpuset"));
        out.put("PidsLimit", daemon.cgroupControllers().contains("pids"));
        out.put("OomKillDisable", false);
        out.put("IPv4Forwarding", kernelFlag("/proc/sys/net/ipv4/ip_forward"));
        out.put("BridgeNfIptables", kernelFlag("/proc/sys/net/bridge/bridge-nf-call-iptables"));
        out.put("BridgeNfIp6tables", kernelFlag("/proc/sys/net/bridge/bridge-nf-call-ip6tables"));
        out.put("Debug", false);
        out.put("NFd", openFiles());
        out.put("NGoroutines", Thread.activeCount());
        out.put("SystemTime", clock.instant().toString());
        out.put("LoggingDriver", "json-file");
        out.put("CgroupDriver", "cgroupfs");
        out.put("CgroupVersion", daemon.cgroupVersion());
        out.put("NEventsListener", 0);
        out.put("KernelVersion", daemon.kernelVersion());
        out.put("OperatingSystem", daemon.operatingSystem());
        out.put("OSVersion", daemon.osVersion());
        out.put("OSType", "linux");
        out.put("Architecture", daemon.machine());
        out.put("IndexServerAddress", "https://index.docker.io/v1/");
        out.put("RegistryConfig", Map.of(
                "AllowNondistributableArtifactsCIDRs", List.of(),
                "AllowNondistributableArtifactsHostnames", List.of(),
                "InsecureRegistryCIDRs", List.of("127.0.0.0/8"),
                "IndexConfigs", Map.of("docker.io", Map.of("Name", "docker.io", "Mirrors", List.of(), "Secure", true,
                        "Official", true)),
                "Mirrors", List.of()));
        out.put("NCPU", daemon.cpus());
        out.put("MemTotal", daemon.memTotalBytes());
        out.put("GenericResources", null);
        out.put("DockerRootDir", daemon.dataRoot().toString());
        out.put("HttpProxy", "");
        out.put("HttpsProxy", "");
        out.put("NoProxy", "");
        out.put("Name", daemon.name());
        out.put("Labels", List.of());
        out.put("ExperimentalBuild", false);
        out.put("ServerVersion", daemon.serverVersion());
        Map<String, Object> runtimes = new TreeMap<>();
        daemon.runtimes().forEach((name, path) -> runtimes.put(name, Map.of("path", path.toString())));
        out.put("Runtimes", runtimes);
        out.put("DefaultRuntime", daemon.defaultRuntime());
        out.put("Swarm", Map.of("NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable", false,
                "Error", ""));
        // Containers outlive keeld: their monitor, not the daemon, is their parent.
        out.put("LiveRestoreEnabled", true);
        out.put("Isolation", "");
        out.put("InitBinary", "");
        out.put("ContainerdCommit", Map.of("ID", "", "Expected", ""));
        out.put("RuncCommit", Map.of("ID", "", "Expected", ""));
        out.put("InitCommit", Map.of("ID", "", "Expected", ""));
        out.put("SecurityOptions", daemon.cgroupVersion().equals("2") ? List.of("name=cgroupns") : List.of());
        out.put("Warnings", List.of());
        return out;
    }

    /** @param volumes the volumes as Docker's Volume, with UsageData */
    Map<String, Object> diskUsage(List<ContainerEntity.State> containers, List<ImageEntity.State> images,
                                  List<?> volumes) {
        Map<String, Long> users = containers.stream()
                .collect(Collectors.groupingBy(ContainerEntity.State::imageId, Collectors.counting()));
        List<Object> imageSummaries = new ArrayList<>();
        long layersSize = 0;
        for (ImageEntity.State image : images) {
            layersSize += image.sizeBytes();
            imageSummaries.add(ImageCodec.summary(image, users.getOrDefault(image.imageId(), 0L), ApiVersion.MAX));
        }
        List<Object> containerSummaries = new ArrayList<>();
        for (ContainerEntity.State container : containers) {
            containerSummaries.add(containerSummary(container));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("LayersSize", layersSize);
        out.put("Images", imageSummaries);
        out.put("Containers", containerSummaries);
        out.put("Volumes", volumes);
        out.put("BuildCache", List.of());
        return out;
    }

    /** The fields of a ContainerSummary that {@code docker system df -v} shows; the size of a container's layer is not known yet. */
    private static Map<String, Object> containerSummary(ContainerEntity.State container) {
        List<String> command = Stream.concat(container.config().entrypoint().stream(), container.config().cmd().stream()).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", container.containerId());
        out.put("Names", List.of("/" + container.name()));
        out.put("Image", container.imageRef());
        out.put("ImageID", container.imageId());
        out.put("Command", String.join(" ", command));
        out.put("Created", container.createdAt().getEpochSecond());
        out.put("Ports", List.of());
        out.put("Labels", container.config().labels());
        out.put("State", state(container.status()));
        out.put("Status", state(container.status()));
        out.put("Mounts", List.of());
        return out;
    }

    private static String state(ContainerEntity.Status status) {
        return switch (status) {
            case NEW, CREATED -> "created";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case EXITED -> "exited";
            case REMOVED -> "removing";
        };
    }

    private String backingFilesystem() {
        try {
            return Files.getFileStore(daemon.dataRoot()).type();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static boolean kernelFlag(String file) {
        try {
            return Files.readString(Path.of(file)).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    private static long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String javaVersion() {
        return "java" + Runtime.version().feature();
    }
}
