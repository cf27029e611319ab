package dev.keel.actors.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContainerSignalsTest {

    @Test
    void shouldAcceptNamesWithOrWithoutThePrefixInAnyCase() {
        assertThat(ContainerSignals.isValid("KILL")).isTrue();
        assertThat(ContainerSignals.isValid("SIGTERM")).isTrue();
        assertThat(ContainerSignals.isValid("sigusr1")).isTrue();
        assertThat(ContainerSignals.isValid("RTMIN+3")).isTrue();
    }

    @Test
    void shouldAcceptLinuxSignalNumbersOnly() {
        assertThat(ContainerSignals.isValid("9")).isTrue();
        assertThat(ContainerSignals.isValid("64")).isTrue();
        assertThat(ContainerSignals.isValid("0")).isFalse();
        assertThat(ContainerSignals.isValid("32")).isFalse();
        assertThat(ContainerSignals.isValid("65")).isFalse();
    }

    @Test
    void shouldRefuseUnknownNames() {
        assertThat(ContainerSignals.isValid("NOPE")).isFalse();
        assertThat(ContainerSignals.isValid("SIG")).isFalse();
        assertThat(ContainerSignals.isValid("")).isFalse();
    }
}
