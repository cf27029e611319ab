package dev.keel.os.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in daemon for re-adoption tests: starts one container, prints {@code started <pid> <monitor pid>} and
 * then does nothing until it is killed.
 *
 * <p>Arguments: state root, exec root, cgroup parent, rootfs, container id, then the container's command.
 */
public final class ContainerLauncher {

    private ContainerLauncher() {}

    public static void main(String[] args) {
        RuntimeSettings settings = RuntimeSettings.fromConfig(
                ConfigFactory.defaultReference().getConfig("keel.native.runtime"))
            .withRoots(Path.of(args[0]), Path.of(args[1]))
            .withCgroupParent(args[2]);
        RuncRuntime runtime = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"));
        List<String> command = Arrays.asList(args).subList(5, args.length);
        CreatedContainer container = runtime.create(ContainerSpec.of(args[4], Path.of(args[3]), command));
        runtime.start(args[4]);
        System.out.println("started " + container.pid() + " " + container.monitorPid());
        System.out.flush();
        while (true) {
            LockSupport.park();
        }
    }
}
