package dev.keel.actors.container;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code keel.actors.containers} section of reference.conf, read once by {@link LocalContainers}.
 *
 * @param hostDispatcher the dispatcher on which runtime, mount and log-file calls block
 * @param restartBackoffMin Docker's first delay before a restart by policy, doubled after each quick exit
 * @param restartBackoffMax the longest delay between restarts by policy
 * @param restartBackoffResetAfter a container that ran at least this long restarts after the first delay again
 * @param logPollInterval how often a followed log is read for new lines while its container runs
 * @param nameAttempts how many generated names a create tries before giving up on conflicts
 */
public record ContainersSettings(
        String hostDispatcher,
        Duration restartBackoffMin,
        Duration restartBackoffMax,
        Duration restartBackoffResetAfter,
        Duration logPollInterval,
        int nameAttempts) {

    public ContainersSettings {
        if (restartBackoffMin.isNegative() || restartBackoffMin.isZero() || restartBackoffMax.compareTo(restartBackoffMin) < 0) {
            throw new IllegalArgumentException("keel.actors.containers.restart-backoff: 0 < min <= max");
        }
        if (logPollInterval.isNegative() || logPollInterval.isZero() || nameAttempts < 1) {
            throw new IllegalArgumentException("keel.actors.containers: log-poll-interval and name-attempts must be positive");
        }
    }

    public static ContainersSettings from(Config root) {
        Config c = root.getConfig("keel.actors.containers");
        return new ContainersSettings(
                "keel.actors.containers.host-dispatcher",
                c.getDuration("restart-backoff.min"),
                c.getDuration("restart-backoff.max"),
                c.getDuration("restart-backoff.reset-after"),
                c.getDuration("log-poll-interval"),
                c.getInt("name-attempts"));
    }
}
