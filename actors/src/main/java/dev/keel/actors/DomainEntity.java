package dev.keel.actors;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * What every domain entity shares: its persistence id is its sharding key's name and its id, a failed write
 * restarts it with back-off, each event carries the entity's slice tag ("container-3"), snapshots never delete
 * events, changes are answered with a {@link Confirmation}, and time comes from the injected clock.
 */
public abstract class DomainEntity<C, E, S> extends EventSourcedBehaviorWithEnforcedReplies<C, E, S> {

    private final Set<String> tags;
    private final RetentionCriteria retention;
    private final Clock clock;

    protected DomainEntity(EntityTypeKey<C> key, String entityId, ActorsSettings settings, Clock clock) {
        super(PersistenceId.of(key.name(), entityId), settings.onPersistFailure());
        this.tags = Set.of(settings.sliceTag(key.name().toLowerCase(Locale.ROOT), entityId));
        this.retention = settings.retention();
        this.clock = clock;
    }

    /** Persists {@code event}, then confirms. */
    protected final ReplyEffect<E, S> persist(E event, ActorRef<Confirmation> replyTo) {
        return Effect().persist(event).thenReply(replyTo, s -> Confirmation.accepted());
    }

    /** Refuses the command with a typed reason; nothing is persisted. */
    protected final ReplyEffect<E, S> reject(ActorRef<Confirmation> replyTo, Rejection reason, String message) {
        return Effect().reply(replyTo, Confirmation.rejected(reason, message));
    }

    protected final Instant now() {
        return clock.instant();
    }

    @Override
    public final Set<String> tagsFor(E event) {
        return tags;
    }

    @Override
    public final RetentionCriteria retentionCriteria() {
        return retention;
    }
}
