package dev.keel.actors.container;

/** Docker's HostConfig.RestartPolicy: what the engine does when the container exits. */
public record RestartPolicy(Mode mode, int maximumRetryCount) {

    public static final RestartPolicy NO = new RestartPolicy(Mode.NO, 0);

    public enum Mode { NO, ALWAYS, UNLESS_STOPPED, ON_FAILURE }

    public boolean restarts() {
        return mode != Mode.NO;
    }
}
