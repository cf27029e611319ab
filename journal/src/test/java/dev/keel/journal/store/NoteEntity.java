package dev.keel.journal.store;

import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * A test entity whose events are strings (Pekko's built-in string serializer) and whose state is the events joined
 * by commas. Events are tagged {@code t-<first letter>}.
 */
public final class NoteEntity extends EventSourcedBehavior<NoteEntity.Command, String, String> {

    /** Commands. */
    public sealed interface Command {
    }

    /** Persists the notes as one atomic write and replies with the seqNr reached. */
    public record Add(List<String> notes, ActorRef<Long> replyTo) implements Command {
    }

    /** Replies with the state. */
    public record Get(ActorRef<String> replyTo) implements Command {
    }

    private final ActorContext<Command> context;

    private NoteEntity(String id, ActorContext<Command> context) {
        super(PersistenceId.ofUniqueId(id));
        this.context = context;
    }

    public static Behavior<Command> create(String id) {
        return Behaviors.setup(context -> new NoteEntity(id, context));
    }

    @Override
    public String emptyState() {
        return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Add.class, (state, add) -> Effect().persist(add.notes())
                .thenRun(newState -> add.replyTo().tell(lastSequenceNumber(context))))
            .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
            .build();
    }

    @Override
    public EventHandler<String, String> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
            .onAnyEvent((state, event) -> state.isEmpty() ? event : state + "," + event);
    }

    @Override
    public Set<String> tagsFor(String event) {
        return Set.of("t-" + event.charAt(0));
    }
}
