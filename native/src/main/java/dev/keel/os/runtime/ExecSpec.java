package dev.keel.os.runtime;

import java.util.List;

/**
 * A process to run inside a running container.
 *
 * @param args argv
 * @param env {@code KEY=value} entries added to (and overriding) the container's
 * @param user as in {@link ContainerSpec#user()}; empty means the container's user
 * @param workingDir absolute path; empty means the container's
 */
public record ExecSpec(List<String> args, List<String> env, String user, String workingDir) {

    public ExecSpec {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no command specified");
        }
        if (!workingDir.isEmpty() && !workingDir.startsWith("/")) {
            throw new IllegalArgumentException("the working directory must be absolute: " + workingDir);
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
    }

    public static ExecSpec of(String... args) {
        return new ExecSpec(List.of(args), List.of(), "", "");
    }
}
