package dev.keel.netplane.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviours every {@link NetworkDriver} must show, whatever it does on the host: run it against a driver by
 * extending it. Networks made through {@link #createNetwork} are deleted after each test, then
 * {@link #tearDownDriver()} runs, where a driver's suite removes and checks its leftovers.
 */
public abstract class NetworkDriverContract {

    protected NetworkDriver driver;
    private final List<String> networks = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    /** Makes the driver under test, fresh for each test. */
    protected abstract NetworkDriver setUpDriver() throws Exception;

    /** Called after the test's networks are deleted, even when the test failed. */
    protected abstract void tearDownDriver() throws Exception;

    /** A network the driver accepts, unlike any other of this test. */
    protected abstract NetworkDefinition newNetwork();

    /** What IPAM would give the {@code n}-th endpoint (from 0) of {@code network}. */
    protected abstract EndpointAddresses addressFor(NetworkDefinition network, int n);

    /** A sandbox to join endpoints to. */
    protected abstract Path newSandbox() throws Exception;

    @BeforeEach
    final void setUpContract() throws Exception {
        driver = setUpDriver();
    }

    @AfterEach
    final void tearDownContract() throws Exception {
        try {
            for (String id : networks) {
                driver.deleteNetwork(id);
            }
        } finally {
            tearDownDriver();
        }
    }

    /** Creates {@code network} through the driver, to be deleted after the test. */
    protected NetworkDefinition createNetwork(NetworkDefinition network) {
        networks.add(network.networkId());
        driver.createNetwork(network);
        return network;
    }

    /** A new 64-hex id; every id a test used is in {@link #idsUsed()}, for its leftover checks. */
    protected String randomId() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        String id = HexFormat.of().formatHex(bytes);
        ids.add(id);
        return id;
    }

    protected List<String> idsUsed() {
        return List.copyOf(ids);
    }

    @Test
    void shouldNameItselfAndItsScope() {
        assertThat(driver.name()).isNotBlank();
        assertThat(driver.scope()).isNotNull();
    }

    @Test
    void shouldAcceptTheSameNetworkTwice() {
        NetworkDefinition network = createNetwork(newNetwork());

        assertThatCode(() -> driver.createNetwork(network)).doesNotThrowAnyException();
        String endpoint = randomId();
        driver.createEndpoint(network.networkId(), endpoint, addressFor(network, 0));
        driver.deleteEndpoint(network.networkId(), endpoint);
    }

    @Test
    void shouldDeleteANetworkTwiceWithoutError() {
        NetworkDefinition network = createNetwork(newNetwork());

        driver.deleteNetwork(network.networkId());

        assertThatCode(() -> driver.deleteNetwork(network.networkId())).doesNotThrowAnyException();
    }

    @Test
    void shouldIgnoreDeletingAnUnknownNetwork() {
        assertThatCode(() -> driver.deleteNetwork(randomId())).doesNotThrowAnyException();
    }

    @Test
    void shouldGoThroughTheEndpointLifecycle() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        String endpoint = randomId();

        driver.createEndpoint(network.networkId(), endpoint, addressFor(network, 0));
        JoinInfo join = driver.join(network.networkId(), endpoint, newSandbox());
        List<PortMapping> published = driver.programExternalConnectivity(network.networkId(), endpoint, List.of());
        driver.revokeExternalConnectivity(network.networkId(), endpoint);
        driver.leave(network.networkId(), endpoint);
        driver.deleteEndpoint(network.networkId(), endpoint);

        assertThat(published).isEmpty();
        if (!join.srcName().isEmpty()) {
            assertThat(join.dstPrefix()).isNotEmpty();
        }
    }

    @Test
    void shouldAnswerOnlyWhatItChoseWhenGivenAnAddress() {
        NetworkDefinition network = createNetwork(newNetwork());
        EndpointAddresses requested = addressFor(network, 0);

        EndpointAddresses answer = driver.createEndpoint(network.networkId(), randomId(), requested);

        assertThat(answer.address()).isEmpty();
        assertThat(answer.addressIpv6()).isEmpty();
    }

    @Test
    void shouldIgnoreLeavingAndDeletingAnUnknownEndpoint() {
        NetworkDefinition network = createNetwork(newNetwork());

        assertThatCode(() -> {
            driver.revokeExternalConnectivity(network.networkId(), randomId());
            driver.leave(network.networkId(), randomId());
            driver.deleteEndpoint(network.networkId(), randomId());
            driver.deleteEndpoint(randomId(), randomId());
        }).doesNotThrowAnyException();
    }

    @Test
    void shouldCreateAnEndpointAgainAfterItWasDeleted() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        String endpoint = randomId();
        driver.createEndpoint(network.networkId(), endpoint, addressFor(network, 0));
        driver.deleteEndpoint(network.networkId(), endpoint);

        driver.createEndpoint(network.networkId(), endpoint, addressFor(network, 0));
        JoinInfo join = driver.join(network.networkId(), endpoint, newSandbox());
        driver.leave(network.networkId(), endpoint);
        driver.deleteEndpoint(network.networkId(), endpoint);

        assertThat(join).isNotNull();
    }

    @Test
    void shouldKeepTwoEndpointsOfOneNetworkApart() throws Exception {
        NetworkDefinition network = createNetwork(newNetwork());
        String first = randomId();
        String second = randomId();
        driver.createEndpoint(network.networkId(), first, addressFor(network, 0));
        driver.createEndpoint(network.networkId(), second, addressFor(network, 1));

        JoinInfo a = driver.join(network.networkId(), first, newSandbox());
        JoinInfo b = driver.join(network.networkId(), second, newSandbox());

        if (!a.srcName().isEmpty()) {
            assertThat(a.srcName()).isNotEqualTo(b.srcName());
        }
        driver.deleteEndpoint(network.networkId(), first);
        driver.deleteEndpoint(network.networkId(), second);
    }
}
