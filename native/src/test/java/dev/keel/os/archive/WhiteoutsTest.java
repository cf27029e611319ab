package dev.keel.os.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WhiteoutsTest {
    @Test
    void shouldTurnWhiteoutFileIntoTheNameItHides() {
        assertThat(Whiteouts.classify(".wh.passwd")).isEqualTo(new Whiteouts.Hides("passwd"));
    }

    @Test
    void shouldRecogniseOpaqueMarker() {
        assertThat(Whiteouts.classify(".wh..wh..opq")).isInstanceOf(Whiteouts.Opaque.class);
    }

    @Test
    void shouldTreatOtherAufsMetadataAsBookkeeping() {
        assertThat(Whiteouts.classify(".wh..wh.plnk")).isInstanceOf(Whiteouts.Bookkeeping.class);
    }

    @Test
    void shouldLeaveOrdinaryNamesAlone() {
        assertThat(Whiteouts.classify("passwd")).isInstanceOf(Whiteouts.Ordinary.class);
        assertThat(Whiteouts.classify(".wh.")).isInstanceOf(Whiteouts.Ordinary.class);
    }

    @Test
    void shouldRejectDotDotAndAbsoluteEntryNames() throws Exception {
        assertThatThrownBy(() -> EntryPath.parse("a/../../etc/passwd")).isInstanceOf(ArchiveEscapeException.class)
            .hasMessageContaining("contains '..'");
        assertThatThrownBy(() -> EntryPath.parse("/etc/passwd")).isInstanceOf(ArchiveEscapeException.class)
            .hasMessageContaining("absolute path");
        assertThat(EntryPath.parse("./bin//sh").components()).containsExactly("bin", "sh");
    }
}
