package dev.keel.actors.image;

import static dev.keel.actors.EntityTestKits.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.actors.Confirmation;
import dev.keel.actors.EntityTestKits;
import dev.keel.actors.Rejection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageEntityTest {

    private static final String ID = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final Instant BUILT = Instant.parse("2025-12-24T00:00:00Z");
    private static final ImageConfig CONFIG = new ImageConfig("amd64", "linux", List.of("sh"), List.of(), List.of(), "/",
            "", Map.of(), List.of(), "", List.of("sha256:layer"));

    private static ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<ImageEntity.Command, ImageEntity.Event, ImageEntity.State> kit;

    @BeforeAll
    static void startSystem() {
        testKit = EntityTestKits.actorTestKit("ImageEntityTest");
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        kit = EntityTestKits.entityTestKit(testKit, ImageEntity.create(ID, EntityTestKits.settings(testKit), EntityTestKits.CLOCK));
        kit.clear();
    }

    private CommandResultWithReply<ImageEntity.Command, ImageEntity.Event, ImageEntity.State, Confirmation> importImage() {
        return kit.runCommand(r -> new ImageEntity.Import(CONFIG, 4_000_000, BUILT, r));
    }

    private CommandResultWithReply<ImageEntity.Command, ImageEntity.Event, ImageEntity.State, Confirmation> tag(String ref) {
        return kit.runCommand(r -> new ImageEntity.Tag(ref, r));
    }

    private static void assertRejected(CommandResultWithReply<?, ?, ?, Confirmation> result, Rejection reason, String message) {
        assertThat(result.reply()).isEqualTo(Confirmation.rejected(reason, message));
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordImported() {
        var result = importImage();

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.event()).isEqualTo(new ImageEntity.Imported(ID, CONFIG, 4_000_000, BUILT, NOW));
        assertThat(result.state().isPresent()).isTrue();
    }

    @Test
    void shouldIgnoreSecondImportOfSameContent() {
        importImage();

        var result = importImage();

        assertThat(result.reply()).isEqualTo(Confirmation.accepted());
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void shouldRecordTaggedWithNormalizedReference() {
        importImage();

        var result = tag("busybox");

        assertThat(result.event()).isEqualTo(new ImageEntity.Tagged(ID, "busybox:latest", NOW));
        assertThat(result.state().repoTags()).containsExactly("busybox:latest");
    }

    @Test
    void shouldRejectTagWithInvalidReference() {
        importImage();

        assertRejected(tag("Busy Box"), Rejection.INVALID_ARGUMENT, "invalid reference format");
    }

    @Test
    void shouldRejectTagOfUnknownImage() {
        assertRejected(tag("busybox:1"), Rejection.NOT_FOUND, "No such image: " + ID);
    }

    @Test
    void shouldRecordUntagged() {
        importImage();
        tag("busybox:1");

        var result = kit.<Confirmation>runCommand(r -> new ImageEntity.Untag("busybox:1", r));

        assertThat(result.event()).isEqualTo(new ImageEntity.Untagged(ID, "busybox:1", NOW));
        assertThat(result.state().repoTags()).isEmpty();
    }

    @Test
    void shouldRejectUntagOfReferenceItDoesNotHave() {
        importImage();

        var result = kit.<Confirmation>runCommand(r -> new ImageEntity.Untag("busybox:2", r));

        assertRejected(result, Rejection.NOT_FOUND, "No such image: busybox:2");
    }

    @Test
    void shouldRejectDeleteOfImageInSeveralRepositoriesWithoutForce() {
        importImage();
        tag("busybox:1");
        tag("registry.local:5000/busybox:1");

        var result = kit.<Confirmation>runCommand(r -> new ImageEntity.Delete(false, r));

        assertRejected(result, Rejection.CONFLICT,
                "conflict: unable to delete 0123456789ab (must be forced) - image is referenced in multiple repositories");
    }

    @Test
    void shouldRecordDeletedAndAllowReimport() {
        importImage();
        tag("busybox:1");

        var deleted = kit.<Confirmation>runCommand(r -> new ImageEntity.Delete(false, r));
        var reimported = importImage();

        assertThat(deleted.event()).isEqualTo(new ImageEntity.Deleted(ID, false, NOW));
        assertThat(deleted.state().status()).isEqualTo(ImageEntity.Status.DELETED);
        assertThat(reimported.event()).isInstanceOf(ImageEntity.Imported.class);
        assertThat(reimported.state().repoTags()).isEmpty();
    }

    @Test
    void shouldRejectDeleteOfDeletedImage() {
        importImage();
        kit.<Confirmation>runCommand(r -> new ImageEntity.Delete(false, r));

        var result = kit.<Confirmation>runCommand(r -> new ImageEntity.Delete(true, r));

        assertRejected(result, Rejection.NOT_FOUND, "No such image: " + ID);
    }

    @Test
    void shouldRecoverStateAfterRestart() {
        importImage();
        tag("busybox:1");
        tag("busybox:2");

        var restarted = kit.restart();

        assertThat(restarted.state().repoTags()).containsExactly("busybox:1", "busybox:2");
        assertThat(restarted.state().config()).isEqualTo(CONFIG);
    }
}
