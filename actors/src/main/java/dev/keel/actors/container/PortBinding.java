package dev.keel.actors.container;

/**
 * One {@code -p} request (HostConfig.PortBindings): {@code hostIp:hostPort -> containerPort}.
 *
 * @param containerPort "80/tcp" (Docker's key form, protocol always present)
 * @param hostIp the host address, empty for every address
 * @param hostPort a port, a range "8000-8010", or empty for an ephemeral one
 */
public record PortBinding(String containerPort, String hostIp, String hostPort) {}
