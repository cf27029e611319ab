package dev.keel.os.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InterfaceCountersTest {

    @Test
    void shouldReadEveryInterfaceButLoopback() {
        List<String> netDev = List.of(
            "Inter-|   Receive                                                |  Transmit",
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls"
                + " carrier compressed",
            "    lo:     560       8    0    0    0     0          0         0      560       8    0    0    0     0"
                + "       0          0",
            "  eth0:    9034      61    1    2    0     0          0         0     1426      19    3    4    0     0"
                + "       0          0");

        assertThat(InterfaceCounters.parse(netDev))
            .containsExactly(new InterfaceCounters("eth0", 9034, 61, 1, 2, 1426, 19, 3, 4));
    }

    @Test
    void shouldReadNothingOfAProcessThatIsGone() {
        assertThat(InterfaceCounters.ofProcess(Long.MAX_VALUE)).isEmpty();
    }
}
