#!/usr/bin/env python3
"""An IpamDriver plugin with one fixed pool (--pool), handing out addresses in order from .2 (the gateway may ask
for .1). Pools are reference-counted. Errors use IPAM's field name, "Error"."""
import ipaddress
import threading

from pluginlib import PluginError, arguments, field, serve

parser = arguments("Keel test IPAM plugin")
parser.add_argument("--pool", default="10.77.0.0/24")
args = parser.parse_args()

lock = threading.Lock()
network = ipaddress.ip_network(args.pool)
pool_id = "fixed-" + args.pool
pool_refs = 0
taken = set()


def spaces(body):
    return 200, {"LocalDefaultAddressSpace": "keeltest-local", "GlobalDefaultAddressSpace": "keeltest-global"}


def request_pool(body):
    global pool_refs
    wanted = field(body, "Pool") or ""
    if field(body, "V6"):
        raise PluginError("this plugin has no IPv6 pool")
    if wanted and ipaddress.ip_network(wanted, strict=False) != network:
        raise PluginError("pool " + wanted + " is not available, only " + args.pool)
    with lock:
        pool_refs += 1
    return 200, {"PoolID": pool_id, "Pool": args.pool, "Data": {"owner": "keel-test"}}


def release_pool(body):
    global pool_refs
    if field(body, "PoolID") != pool_id:
        raise PluginError("unknown pool " + str(field(body, "PoolID")))
    with lock:
        pool_refs = max(0, pool_refs - 1)
        if pool_refs == 0:
            taken.clear()
    return 200, {}


def request_address(body):
    if field(body, "PoolID") != pool_id:
        raise PluginError("unknown pool " + str(field(body, "PoolID")))
    preferred = field(body, "Address") or ""
    options = field(body, "Options") or {}
    with lock:
        if preferred:
            address = ipaddress.ip_address(preferred)
            if address not in network or address in taken:
                raise PluginError("address " + preferred + " is not available")
        elif options.get("RequestAddressType") == "com.docker.network.gateway":
            address = network.network_address + 1
        else:
            address = next((a for a in list(network.hosts())[1:] if a not in taken), None)
            if address is None:
                raise PluginError("no address left in " + args.pool)
        taken.add(address)
    return 200, {"Address": "%s/%d" % (address, network.prefixlen), "Data": {}}


def release_address(body):
    if field(body, "PoolID") != pool_id:
        raise PluginError("unknown pool " + str(field(body, "PoolID")))
    address = ipaddress.ip_address(field(body, "Address"))
    with lock:
        taken.discard(address)
    return 200, {}


serve(args, ["IpamDriver"], {
    "IpamDriver.GetCapabilities": lambda body: (200, {"RequiresMACAddress": False}),
    "IpamDriver.GetDefaultAddressSpaces": spaces,
    "IpamDriver.RequestPool": request_pool,
    "IpamDriver.ReleasePool": release_pool,
    "IpamDriver.RequestAddress": request_address,
    "IpamDriver.ReleaseAddress": release_address,
}, error_field="Error")
