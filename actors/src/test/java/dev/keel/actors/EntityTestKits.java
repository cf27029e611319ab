package dev.keel.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * The setup every entity unit test shares: the PersistenceTestKit journal, Kryo on every command, event and state
 * (with equality after the round trip), and a fixed clock so events can be asserted exactly.
 */
public final class EntityTestKits {

    public static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private EntityTestKits() {}

    public static ActorTestKit actorTestKit(String name) {
        Config config = EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load());
        return ActorTestKit.create(name, config);
    }

    public static ActorsSettings settings(ActorTestKit testKit) {
        return ActorsSettings.from(testKit.system().settings().config());
    }

    public static <C, E, S> EventSourcedBehaviorTestKit<C, E, S> entityTestKit(ActorTestKit testKit, Behavior<C> entity) {
        return EventSourcedBehaviorTestKit.create(testKit.system(), entity,
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }
}
