package dev.keel.actors.image;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.DomainEntity;
import dev.keel.actors.Rejection;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One image, keyed by its content digest ("sha256:…"):
 *
 * <pre>
 *   NEW --import--> PRESENT (tag / untag any number of times) --delete--> DELETED --import--> PRESENT
 * </pre>
 *
 * Importing the same content again is a no-op, as with {@code docker load}. The id is the digest of the content, so a
 * deleted image that is pulled again is the same entity. Refusing to delete an image that containers use needs the
 * containers' view: {@link LocalImages} checks it before asking; here only Docker's rule on several repositories
 * applies. Moving a tag from one image to another is an Untagged on the one, then a Tagged on the other.
 */
public final class ImageEntity
        extends DomainEntity<ImageEntity.Command, ImageEntity.Event, ImageEntity.State> {

    /** Docker's reference grammar, simplified: [registry[:port]/]path[:tag]. */
    private static final Pattern VALID_REFERENCE = Pattern.compile(
            "^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                    + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$");

    // --- commands -------------------------------------------------------------------------------------------------

    public sealed interface Command extends KryoSerializable {}

    /** A command that may change the image, answered with a {@link Confirmation}. */
    public sealed interface Change extends Command {
        ActorRef<Confirmation> replyTo();
    }

    /** {@code created} is the image's own creation time, from its config. */
    public record Import(ImageConfig config, long sizeBytes, Instant created,
                         ActorRef<Confirmation> replyTo) implements Change {}

    public record Tag(String reference, ActorRef<Confirmation> replyTo) implements Change {}

    public record Untag(String reference, ActorRef<Confirmation> replyTo) implements Change {}

    public record Delete(boolean force, ActorRef<Confirmation> replyTo) implements Change {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    // --- events ---------------------------------------------------------------------------------------------------

    /** Kryo versions of every event: v1 as declared here. */
    public sealed interface Event extends KryoSerializable {
        String imageId();

        Instant at();
    }

    public record Imported(String imageId, ImageConfig config, long sizeBytes, Instant created, Instant at)
            implements Event {}

    public record Tagged(String imageId, String reference, Instant at) implements Event {}

    public record Untagged(String imageId, String reference, Instant at) implements Event {}

    public record Deleted(String imageId, boolean force, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------------

    public enum Status { NEW, PRESENT, DELETED }

    /** Also the snapshot. {@code repoTags} are normalized ("nginx:latest") in tagging order. */
    public record State(String imageId, Status status, ImageConfig config, long sizeBytes, Instant created,
                        List<String> repoTags, Instant importedAt) implements KryoSerializable {

        public State {
            repoTags = List.copyOf(repoTags);
        }

        public static State empty(String imageId) {
            return new State(imageId, Status.NEW, ImageConfig.EMPTY, 0, Instant.EPOCH, List.of(), Instant.EPOCH);
        }

        public boolean isPresent() {
            return status == Status.PRESENT;
        }

        public boolean isTagged(String reference) {
            return repoTags.contains(reference);
        }

        State withImported(Imported e) {
            return new State(imageId, Status.PRESENT, e.config(), e.sizeBytes(), e.created(), List.of(), e.at());
        }

        State withTag(String reference) {
            List<String> tags = new ArrayList<>(repoTags);
            tags.add(reference);
            return new State(imageId, status, config, sizeBytes, created, tags, importedAt);
        }

        State withoutTag(String reference) {
            List<String> tags = new ArrayList<>(repoTags);
            tags.remove(reference);
            return new State(imageId, status, config, sizeBytes, created, tags, importedAt);
        }

        State withDeleted() {
            return new State(imageId, Status.DELETED, config, sizeBytes, created, List.of(), importedAt);
        }
    }

    // --- behavior -------------------------------------------------------------------------------------------------

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Image");

    private final String imageId;

    private ImageEntity(String imageId, ActorsSettings settings, Clock clock) {
        super(ENTITY_KEY, imageId, settings, clock);
        this.imageId = imageId;
    }

    public static Behavior<Command> create(String imageId, ActorsSettings settings, Clock clock) {
        return new ImageEntity(imageId, settings, clock);
    }

    /** Docker's normalization: a reference without a tag means ":latest". */
    public static String normalizedReference(String reference) {
        String lastSegment = reference.substring(reference.lastIndexOf('/') + 1);
        return lastSegment.contains(":") || lastSegment.contains("@") ? reference : reference + ":latest";
    }

    @Override
    public State emptyState() {
        return State.empty(imageId);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return queries().orElse(absent()).orElse(present()).build();
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> queries() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state));
    }

    /** NEW or DELETED: only an import brings it (back). */
    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> absent() {
        return newCommandHandlerWithReplyBuilder().forState(s -> !s.isPresent())
                .onCommand(Import.class, cmd -> persist(
                        new Imported(imageId, cmd.config(), cmd.sizeBytes(), cmd.created(), now()), cmd.replyTo()))
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, "No such image: " + imageId));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> present() {
        return newCommandHandlerWithReplyBuilder().forState(State::isPresent)
                .onCommand(Import.class, cmd -> Effect().reply(cmd.replyTo(), Confirmation.accepted()))
                .onCommand(Tag.class, this::onTag)
                .onCommand(Untag.class, this::onUntag)
                .onCommand(Delete.class, this::onDelete);
    }

    private ReplyEffect<Event, State> onTag(State state, Tag cmd) {
        if (!VALID_REFERENCE.matcher(cmd.reference()).matches()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "invalid reference format");
        }
        String reference = normalizedReference(cmd.reference());
        if (state.isTagged(reference)) {
            return Effect().reply(cmd.replyTo(), Confirmation.accepted());
        }
        return persist(new Tagged(imageId, reference, now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onUntag(State state, Untag cmd) {
        String reference = normalizedReference(cmd.reference());
        if (!state.isTagged(reference)) {
            return reject(cmd.replyTo(), Rejection.NOT_FOUND, "No such image: " + cmd.reference());
        }
        return persist(new Untagged(imageId, reference, now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onDelete(State state, Delete cmd) {
        if (state.repoTags().size() > 1 && !cmd.force()) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "conflict: unable to delete " + shortId()
                    + " (must be forced) - image is referenced in multiple repositories");
        }
        return persist(new Deleted(imageId, cmd.force(), now()), cmd.replyTo());
    }

    private String shortId() {
        String hex = imageId.startsWith("sha256:") ? imageId.substring("sha256:".length()) : imageId;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    // --- events -> state ------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Imported.class, (s, e) -> s.withImported(e))
                .onEvent(Tagged.class, (s, e) -> s.withTag(e.reference()))
                .onEvent(Untagged.class, (s, e) -> s.withoutTag(e.reference()))
                .onEvent(Deleted.class, (s, e) -> s.withDeleted())
                .build();
    }
}
