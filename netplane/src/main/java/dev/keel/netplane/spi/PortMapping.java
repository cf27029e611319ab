package dev.keel.netplane.spi;

/**
 * One published port: {@code hostIp:hostPort -> containerPort/protocol}.
 *
 * @param protocol "tcp", "udp" or "sctp"
 * @param containerPort the port inside the container
 * @param hostIp the host address to bind, empty for every address
 * @param hostPort the host port, 0 for an ephemeral one chosen by the driver
 */
public record PortMapping(String protocol, int containerPort, String hostIp, int hostPort) {

    public PortMapping withHostPort(int port) {
        return new PortMapping(protocol, containerPort, hostIp, port);
    }
}
