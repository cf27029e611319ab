#!/usr/bin/env python3
"""A directory-backed VolumeDriver plugin: each volume is a directory under --state, mounts are counted per caller
ID, and the state lives in --state/volumes.json so it survives a restart of the plugin."""
import datetime
import json
import os
import shutil
import threading

from pluginlib import PluginError, arguments, field, serve

parser = arguments("Keel test volume plugin")
parser.add_argument("--state", required=True, help="directory holding the volumes")
parser.add_argument("--scope", default="local")
parser.add_argument("--no-capabilities", action="store_true", help="answer 404 to VolumeDriver.Capabilities")
args = parser.parse_args()

lock = threading.Lock()
state_file = os.path.join(args.state, "volumes.json")
os.makedirs(os.path.join(args.state, "data"), exist_ok=True)


def load():
    if os.path.exists(state_file):
        with open(state_file) as f:
            return json.load(f)
    return {}


def save(volumes):
    tmp = state_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump(volumes, f)
    os.replace(tmp, state_file)


def data_dir(name):
    return os.path.join(args.state, "data", name)


def known(volumes, name):
    if name not in volumes:
        raise PluginError("no such volume: " + str(name))
    return volumes[name]


def create(body):
    name = field(body, "Name")
    if not name or "/" in name:
        raise PluginError("invalid volume name: " + str(name))
    with lock:
        volumes = load()
        if name not in volumes:
            os.makedirs(data_dir(name), exist_ok=True)
            now = datetime.datetime.now(datetime.timezone.utc).isoformat()
            volumes[name] = {"opts": field(body, "Opts") or {}, "created": now, "mounts": {}}
            save(volumes)
    return 200, {}


def remove(body):
    name = field(body, "Name")
    with lock:
        volumes = load()
        volume = known(volumes, name)
        if volume["mounts"]:
            raise PluginError("volume " + name + " is in use by " + ",".join(sorted(volume["mounts"])))
        shutil.rmtree(data_dir(name), ignore_errors=True)
        del volumes[name]
        save(volumes)
    return 200, {"Err": ""}


def mount(body):
    name, caller = field(body, "Name"), field(body, "ID")
    with lock:
        volumes = load()
        volume = known(volumes, name)
        volume["mounts"][caller] = volume["mounts"].get(caller, 0) + 1
        save(volumes)
    return 200, {"Mountpoint": data_dir(name), "Err": ""}


def unmount(body):
    name, caller = field(body, "Name"), field(body, "ID")
    with lock:
        volumes = load()
        volume = known(volumes, name)
        count = volume["mounts"].get(caller, 0)
        if count <= 1:
            volume["mounts"].pop(caller, None)
        else:
            volume["mounts"][caller] = count - 1
        save(volumes)
    return 200, {}


def path(body):
    name = field(body, "Name")
    with lock:
        volume = known(load(), name)
    return 200, {"Mountpoint": data_dir(name) if volume["mounts"] else ""}


def describe(name, volume):
    described = {"Name": name, "CreatedAt": volume["created"],
                 "Status": {"mounts": sum(volume["mounts"].values()), "opts": volume["opts"]}}
    if volume["mounts"]:
        described["Mountpoint"] = data_dir(name)
    return described


def get(body):
    name = field(body, "Name")
    with lock:
        volume = known(load(), name)
    return 200, {"Volume": describe(name, volume), "Err": ""}


def list_volumes(body):
    with lock:
        volumes = load()
    return 200, {"Volumes": [describe(n, v) for n, v in sorted(volumes.items())]}


def capabilities(body):
    return 200, {"Capabilities": {"Scope": args.scope}}


handlers = {
    "VolumeDriver.Create": create,
    "VolumeDriver.Remove": remove,
    "VolumeDriver.Mount": mount,
    "VolumeDriver.Unmount": unmount,
    "VolumeDriver.Path": path,
    "VolumeDriver.Get": get,
    "VolumeDriver.List": list_volumes,
}
if not args.no_capabilities:
    handlers["VolumeDriver.Capabilities"] = capabilities

serve(args, ["VolumeDriver"], handlers)
