package dev.keel.httpapi.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import org.junit.jupiter.api.Test;

class ApiVersionTest {

    @Test
    void shouldAcceptTheVersionsBetweenMinimumAndMaximum() {
        assertThat(ApiVersion.supported("1.24")).isEqualTo(ApiVersion.MIN);
        assertThat(ApiVersion.supported("1.41")).isEqualTo(ApiVersion.MAX);
        assertThat(ApiVersion.supported("1.30")).isEqualTo(new ApiVersion(1, 30));
    }

    @Test
    void shouldRefuseAVersionBelowTheMinimumWithDockersWords() {
        assertThatThrownBy(() -> ApiVersion.supported("1.23"))
                .isInstanceOfSatisfying(EngineFailure.class, e -> assertThat(e.reason()).isEqualTo(Rejection.INVALID_ARGUMENT))
                .hasMessage("client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your"
                        + " client to a newer version");
    }

    @Test
    void shouldRefuseAVersionAboveTheMaximumWithDockersWords() {
        assertThatThrownBy(() -> ApiVersion.supported("1.42"))
                .isInstanceOf(EngineFailure.class)
                .hasMessage("client version 1.42 is too new. Maximum supported API version is 1.41");
    }

    @Test
    void shouldCompareMinorVersionsAsNumbers() {
        assertThat(new ApiVersion(1, 9).isBefore(new ApiVersion(1, 10))).isTrue();
        assertThat(ApiVersion.MAX.isBefore(new ApiVersion(2, 0))).isTrue();
        assertThat(ApiVersion.MAX.isBefore(ApiVersion.MIN)).isFalse();
    }

    @Test
    void shouldRefuseAVersionThatIsNotANumber() {
        assertThatThrownBy(() -> ApiVersion.supported("1."))
                .isInstanceOf(EngineFailure.class).hasMessage("invalid API version 1.");
    }
}
