package dev.keel.journal.bench;

import dev.keel.journal.serialization.KryoSerializable;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The entity every journal measurement drives: it persists one {@link Persisted} event per persist
 * and its state is the number of events it holds, so a recovered entity proves its replay by count.
 *
 * <p>Lifecycle: spawned by the bench, either looping ({@link Drive}: on every acknowledged persist it
 * persists the next, until its {@link LoadProbe} says stop), answering single persists, filling a
 * fixed number of events, or reporting its recovered count; {@link Passivate} stops it.
 */
final class BenchEntity extends EventSourcedBehavior<BenchEntity.Command, BenchEntity.Persisted, BenchEntity.State> {

    sealed interface Command {
    }

    /** Persist, and on acknowledgement persist again while the probe keeps running. */
    record Drive(LoadProbe probe) implements Command {
    }

    /** Persist one event and reply with its sequence number once it is acknowledged. */
    record PersistOne(ActorRef<Long> replyTo) implements Command {
    }

    /** Persist {@code remaining} events one at a time, then reply. */
    record Fill(int remaining, ActorRef<Done> replyTo) implements Command {
    }

    record GetEventCount(ActorRef<Long> replyTo) implements Command {
    }

    record Passivate() implements Command {
    }

    /** The one event: which entity, its ordinal, and an opaque payload standing in for a domain event's fields. */
    record Persisted(int entity, long number, byte[] payload) implements KryoSerializable {
    }

    record State(long events) {
        State withOneMore() {
            return new State(events + 1);
        }
    }

    private final ActorRef<Command> self;
    private final int entity;
    private final byte[] payload;

    private BenchEntity(ActorRef<Command> self, PersistenceId persistenceId, int entity, byte[] payload) {
        super(persistenceId);
        this.self = self;
        this.entity = entity;
        this.payload = payload;
    }

    static Behavior<Command> create(String persistenceIdPrefix, int entity, int eventBytes) {
        return Behaviors.setup((ActorContext<Command> ctx) -> new BenchEntity(
            ctx.getSelf(), PersistenceId.ofUniqueId(persistenceIdPrefix + entity), entity, new byte[eventBytes]));
    }

    @Override
    public State emptyState() {
        return new State(0);
    }

    @Override
    public CommandHandler<Command, Persisted, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Drive.class, (state, drive) -> Effect().persist(next(state)).thenRun(after -> {
                drive.probe().acknowledged(entity, after.events());
                if (drive.probe().running()) {
                    self.tell(drive);
                }
            }))
            .onCommand(PersistOne.class, (state, one) -> Effect().persist(next(state))
                .thenReply(one.replyTo(), State::events))
            .onCommand(Fill.class, (state, fill) -> Effect().persist(next(state)).thenRun(after -> {
                if (fill.remaining() > 1) {
                    self.tell(new Fill(fill.remaining() - 1, fill.replyTo()));
                } else {
                    fill.replyTo().tell(Done.getInstance());
                }
            }))
            .onCommand(GetEventCount.class, (state, get) -> Effect().reply(get.replyTo(), state.events()))
            .onCommand(Passivate.class, (state, passivate) -> Effect().stop())
            .build();
    }

    private Persisted next(State state) {
        return new Persisted(entity, state.events() + 1, payload);
    }

    @Override
    public EventHandler<State, Persisted> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
            .onEvent(Persisted.class, (state, event) -> state.withOneMore())
            .build();
    }
}
