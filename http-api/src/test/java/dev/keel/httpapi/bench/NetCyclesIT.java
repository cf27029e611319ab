package dev.keel.httpapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The leak check of {@code bin/keel-bench net} run by Failsafe with 10 cycles instead of 200. */
class NetCyclesIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("keel.launcher", "../bin/keeld"));

    @Test
    void shouldLeaveNoBridgeVethNamespaceOrRuleAfterNetworkCycles() throws Exception {
        try (IsolatedKeeld keeld = IsolatedKeeld.start(LAUNCHER)) {
            NetCycles.Outcome outcome = NetCycles.run(keeld, 10);

            assertThat(outcome.leftovers()).as("keeld's output:\n%s", keeld.log()).isEmpty();
        }
    }
}
