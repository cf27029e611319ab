package dev.keel.stateplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MountOptionsTest {

    @Test
    void shouldTurnKnownWordsIntoFlagsAndPassTheRestAsData() {
        MountOptions options = MountOptions.parse("size=64m,nosuid,uid=1000,nodev");

        assertThat(options.flags()).isEqualTo(0x2 | 0x4);
        assertThat(options.data()).isEqualTo("size=64m,uid=1000");
        assertThat(options.propagation()).isZero();
    }

    @Test
    void shouldLetLaterWordClearEarlierFlag() {
        assertThat(MountOptions.parse("ro,rw").flags()).isZero();
        assertThat(MountOptions.parse("noexec,exec,noatime").flags()).isEqualTo(0x400);
    }

    @Test
    void shouldKeepPropagationApartFromFlags() {
        MountOptions options = MountOptions.parse("rbind,rprivate");

        assertThat(options.flags()).isEqualTo(MountOptions.MS_BIND | MountOptions.MS_REC);
        assertThat(options.propagation()).isEqualTo((1 << 18) | MountOptions.MS_REC);
        assertThat(options.data()).isEmpty();
    }

    @Test
    void shouldAskForReadOnlyRemountOnlyForReadOnlyBind() {
        assertThat(MountOptions.parse("bind,ro").needsReadOnlyRemount()).isTrue();
        assertThat(MountOptions.parse("bind").needsReadOnlyRemount()).isFalse();
        assertThat(MountOptions.parse("ro,size=1m").needsReadOnlyRemount()).isFalse();
    }

    @Test
    void shouldIgnoreDefaultsAndEmptyWords() {
        MountOptions options = MountOptions.parse("defaults,,size=1m");

        assertThat(options.flags()).isZero();
        assertThat(options.data()).isEqualTo("size=1m");
    }
}
