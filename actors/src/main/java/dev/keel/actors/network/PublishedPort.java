package dev.keel.actors.network;

/**
 * A port an endpoint publishes on the host, as bound: {@code hostIp:hostPort -> containerPort/protocol}.
 *
 * @param hostIp the host address, "0.0.0.0" for every address
 */
public record PublishedPort(String protocol, int containerPort, String hostIp, int hostPort) {}
