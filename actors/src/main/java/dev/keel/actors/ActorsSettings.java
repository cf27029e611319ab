package dev.keel.actors;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** The knobs of keel.actors (see reference.conf), read once and passed to every entity. */
public record ActorsSettings(
        Duration askTimeout,
        int snapshotEveryEvents,
        int keepSnapshots,
        int tagSlices,
        Duration persistFailureMinBackoff,
        Duration persistFailureMaxBackoff,
        double persistFailureRandomFactor,
        String readJournal) {

    public ActorsSettings {
        if (snapshotEveryEvents < 1 || keepSnapshots < 1 || tagSlices < 1) {
            throw new IllegalArgumentException("keel.actors: snapshot-every-events, keep-snapshots and tag-slices must be positive");
        }
    }

    public static ActorsSettings from(Config root) {
        Config c = root.getConfig("keel.actors");
        return new ActorsSettings(
                c.getDuration("ask-timeout"),
                c.getInt("snapshot-every-events"),
                c.getInt("keep-snapshots"),
                c.getInt("tag-slices"),
                c.getDuration("persist-failure-backoff.min"),
                c.getDuration("persist-failure-backoff.max"),
                c.getDouble("persist-failure-backoff.random-factor"),
                c.getString("read-journal"));
    }

    /** The tag of the slice an entity's events go to: a fixed set of tags per kind, so projections can run one per slice. */
    public String sliceTag(String kind, String entityId) {
        return kind + "-" + Math.floorMod(entityId.hashCode(), tagSlices);
    }

    /** Snapshots bound recovery time; events are kept forever, so nothing is deleted on snapshot. */
    public RetentionCriteria retention() {
        return RetentionCriteria.snapshotEvery(snapshotEveryEvents, keepSnapshots);
    }

    public BackoffSupervisorStrategy onPersistFailure() {
        return SupervisorStrategy.restartWithBackoff(
                persistFailureMinBackoff, persistFailureMaxBackoff, persistFailureRandomFactor);
    }
}
