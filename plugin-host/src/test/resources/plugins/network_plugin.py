#!/usr/bin/env python3
"""A NetworkDriver plugin that makes real interfaces: CreateEndpoint adds a veth pair on the host (host side
<prefix>h<id>, container side <prefix>c<id>), Join hands the container side to the daemon to move into the sandbox,
DeleteEndpoint deletes the pair. Needs root (ip link)."""
import ipaddress
import random
import subprocess
import threading

from pluginlib import PluginError, arguments, field, serve

parser = arguments("Keel test network plugin")
parser.add_argument("--scope", default="local")
parser.add_argument("--prefix", default="kt", help="interface name prefix, at most 3 characters")
parser.add_argument("--external-connectivity", action="store_true",
                    help="implement Program/RevokeExternalConnectivity (404 otherwise)")
args = parser.parse_args()

lock = threading.Lock()
networks = {}
endpoints = {}


def ip(*argv):
    done = subprocess.run(["ip"] + list(argv), capture_output=True, text=True)
    if done.returncode != 0:
        raise PluginError("ip " + " ".join(argv) + ": " + done.stderr.strip())


def names(endpoint_id):
    short = endpoint_id[:9]
    return args.prefix + "h" + short, args.prefix + "c" + short


def capabilities(body):
    return 200, {"Scope": args.scope, "ConnectivityScope": args.scope}


def create_network(body):
    network_id = field(body, "NetworkID")
    if not network_id:
        raise PluginError("no NetworkID")
    with lock:
        networks[network_id] = {"options": field(body, "Options") or {},
                                "ipv4": field(body, "IPv4Data") or [], "ipv6": field(body, "IPv6Data") or []}
    return 200, {}


def delete_network(body):
    with lock:
        networks.pop(field(body, "NetworkID"), None)
    return 200, {}


def create_endpoint(body):
    network_id, endpoint_id = field(body, "NetworkID"), field(body, "EndpointID")
    with lock:
        network = networks.get(network_id)
    if network is None:
        raise PluginError("no such network " + str(network_id))
    requested = field(body, "Interface") or {}
    host_side, container_side = names(endpoint_id)
    ip("link", "add", host_side, "type", "veth", "peer", "name", container_side)
    ip("link", "set", host_side, "up")
    answer = {}
    if not field(requested, "Address", ""):
        pool = ipaddress.ip_network(network["ipv4"][0]["Pool"])
        address = "%s/%d" % (pool.network_address + 100 + len(endpoints), pool.prefixlen)
        mac = "02:42:%02x:%02x:%02x:%02x" % tuple(random.randrange(256) for _ in range(4))
        answer = {"Interface": {"Address": address, "MacAddress": mac}}
    with lock:
        endpoints[endpoint_id] = {"network": network_id, "host": host_side, "container": container_side}
    return 200, answer


def delete_endpoint(body):
    endpoint_id = field(body, "EndpointID")
    with lock:
        endpoint = endpoints.pop(endpoint_id, None)
    host_side = endpoint["host"] if endpoint else names(endpoint_id)[0]
    subprocess.run(["ip", "link", "del", host_side], capture_output=True)
    return 200, {}


def join(body):
    network_id, endpoint_id = field(body, "NetworkID"), field(body, "EndpointID")
    with lock:
        endpoint = endpoints.get(endpoint_id)
        network = networks.get(network_id)
    if endpoint is None or network is None:
        raise PluginError("no such endpoint " + str(endpoint_id))
    gateway = ""
    if network["ipv4"] and network["ipv4"][0].get("Gateway"):
        gateway = network["ipv4"][0]["Gateway"].split("/")[0]
    return 200, {"InterfaceName": {"SrcName": endpoint["container"], "DstPrefix": "eth"},
                 "Gateway": gateway,
                 "StaticRoutes": [{"Destination": "10.99.0.0/16", "RouteType": 0, "NextHop": gateway or "0.0.0.0"},
                                  {"Destination": "10.98.0.0/16", "RouteType": 1}]}


def leave(body):
    """Leaving twice, or after a crash, is not an error: the daemon repeats it when it cleans up."""
    return 200, {}


handlers = {
    "NetworkDriver.GetCapabilities": capabilities,
    "NetworkDriver.CreateNetwork": create_network,
    "NetworkDriver.DeleteNetwork": delete_network,
    "NetworkDriver.CreateEndpoint": create_endpoint,
    "NetworkDriver.DeleteEndpoint": delete_endpoint,
    "NetworkDriver.EndpointOperInfo": lambda body: (200, {"Value": {}}),
    "NetworkDriver.Join": join,
    "NetworkDriver.Leave": leave,
    "NetworkDriver.DiscoverNew": lambda body: (200, {}),
    "NetworkDriver.DiscoverDelete": lambda body: (200, {}),
}
if args.external_connectivity:
    handlers["NetworkDriver.ProgramExternalConnectivity"] = lambda body: (200, {})
    handlers["NetworkDriver.RevokeExternalConnectivity"] = lambda body: (200, {})

serve(args, ["NetworkDriver"], handlers)
