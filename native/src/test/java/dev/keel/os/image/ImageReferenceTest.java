package dev.keel.os.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    @Test
    void shouldNormaliseOfficialImageNameWithDefaultTag() {
        ImageReference ref = ImageReference.parse("busybox");
        assertThat(ref.toString()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(ref.familiar()).isEqualTo("busybox:latest");
    }

    @Test
    void shouldKeepUserRepositoryOnDockerHub() {
        assertThat(ImageReference.parse("team/app:1.2").toString()).isEqualTo("docker.io/team/app:1.2");
    }

    @Test
    void shouldRecogniseRegistryWithPort() {
        ImageReference ref = ImageReference.parse("localhost:5000/app");
        assertThat(ref.domain()).isEqualTo("localhost:5000");
        assertThat(ref.path()).isEqualTo("app");
        assertThat(ref.tag()).isEqualTo("latest");
        assertThat(ref.familiar()).isEqualTo("localhost:5000/app:latest");
    }

    @Test
    void shouldParseDigestWithoutDefaultTag() {
        String hex = "a".repeat(64);
        ImageReference ref = ImageReference.parse("docker.io/library/busybox@sha256:" + hex);
        assertThat(ref.tag()).isNull();
        assertThat(ref.digest()).isEqualTo(new Digest(hex));
    }

    @Test
    void shouldRejectUppercaseRepository() {
        assertThatThrownBy(() -> ImageReference.parse("BusyBox"))
            .hasMessage("invalid reference format: repository name must be lowercase");
    }

    @Test
    void shouldRejectBadTag() {
        assertThatThrownBy(() -> ImageReference.parse("busybox:-bad")).hasMessage("invalid reference format");
    }
}
