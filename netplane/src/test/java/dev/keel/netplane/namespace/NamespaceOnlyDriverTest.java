package dev.keel.netplane.namespace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.NetworkDriverContract;
import dev.keel.netplane.spi.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract and the behaviours of both namespace-only drivers. */
class NamespaceOnlyDriverTest {

    @Nested
    class Host extends Behaviours {
        Host() {
            super(NamespaceOnlyDriver.HOST, "host");
        }
    }

    @Nested
    class Null extends Behaviours {
        Null() {
            super(NamespaceOnlyDriver.NULL, "null");
        }
    }

    abstract static class Behaviours extends NetworkDriverContract {

        private final NamespaceOnlyDriver tested;
        private final String expectedName;

        Behaviours(NamespaceOnlyDriver tested, String expectedName) {
            this.tested = tested;
            this.expectedName = expectedName;
        }

        @Override
        protected NetworkDriver setUpDriver() {
            return tested;
        }

        @Override
        protected void tearDownDriver() {
            // The driver makes nothing on the host.
        }

        @Override
        protected NetworkDefinition newNetwork() {
            return new NetworkDefinition(randomId(), expectedName, Map.of(), false, false, List.of(), List.of());
        }

        @Override
        protected EndpointAddresses addressFor(NetworkDefinition network, int n) {
            return EndpointAddresses.NONE;
        }

        @Override
        protected Path newSandbox() {
            return Path.of("/run/keel/netns", randomId());
        }

        @Test
        void shouldBeNamedAsDocker() {
            assertThat(driver.name()).isEqualTo(expectedName);
        }

        @Test
        void shouldJoinWithoutAnInterface() {
            NetworkDefinition network = createNetwork(newNetwork());

            JoinInfo join = driver.join(network.networkId(), randomId(), newSandbox());

            assertThat(join.srcName()).isEmpty();
        }

        @Test
        void shouldPublishNothing() {
            NetworkDefinition network = createNetwork(newNetwork());

            List<PortMapping> published = driver.programExternalConnectivity(network.networkId(), randomId(),
                    List.of(new PortMapping("tcp", 80, "", 8080)));

            assertThat(published).isEmpty();
        }
    }
}
