package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourcesTest {

    @Test
    void shouldRejectANegativeLimit() {
        assertThatThrownBy(() -> Resources.NONE.withPidsLimit(-1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid resource value");
    }

    @Test
    void shouldRejectAMemoryLimitBelowDockersMinimum() {
        assertThatThrownBy(() -> Resources.NONE.withMemoryBytes(1024))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6MB");
    }

    @Test
    void shouldRejectCpuSharesOutOfRange() {
        assertThatThrownBy(() -> Resources.NONE.withCpu(1, 0, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu shares");
    }

    @Test
    void shouldRejectAMalformedCpuset() {
        assertThatThrownBy(() -> Resources.NONE.withCpuset("all", ""))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpuset");
    }

    @Test
    void shouldAcceptDockerStyleValues() {
        Resources r = Resources.NONE.withMemoryBytes(6L << 20).withCpu(1024, 50_000, 100_000).withCpuset("0-1", "0");

        assertThat(r.memoryBytes()).isEqualTo(6L << 20);
        assertThat(r.cpusetCpus()).isEqualTo("0-1");
    }
}
