#!/usr/bin/env python3
"""The FreeBSD commands scripts/freebsd-itest.sh runs, over a simulated host.

Called by the name it is linked as (uname, id, ifconfig, sysctl, kldstat,
kldunload, jls, jail, jexec, pgrep, file), it reads and writes the host file
in RJIB_NETSIM, the same one rjib runs on, so that the script's view of the
host and rjib's agree. Only what the script uses is here, printed the way
FreeBSD's tools print it where the script parses the output (ifconfig's
interface status, `ifconfig -l`). tests/itest_script.rs runs the script with
these first in PATH.
"""

import json
import os
import sys

HOST = os.environ["RJIB_NETSIM"]
PROG = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]


def load():
    with open(HOST) as f:
        return json.load(f)


def save(h):
    tmp = HOST + ".fake"
    with open(tmp, "w") as f:
        json.dump(h, f, indent=1)
    os.replace(tmp, HOST)


def die(msg, code=1):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(code)


def release(h):
    return h.get("release", 14)


def modules(h):
    return h.setdefault("modules", ["if_bridge", "if_epair"])


def ifaces(h, jail=None):
    return [i for i in h["interfaces"] if i.get("vnet") == jail]


def find(h, name, jail=None):
    for i in ifaces(h, jail):
        if i["name"] == name:
            return i
    return None


def free_index(h):
    used = {i["index"] for i in h["interfaces"]}
    n = 1
    while n in used:
        n += 1
    return n


def free_unit(h, prefix, cloner):
    used = set()
    for i in h["interfaces"]:
        if i.get("cloner") == cloner:
            used.add(i.get("unit"))
        elif i["name"].startswith(prefix) and i["name"][len(prefix):].isdigit():
            used.add(int(i["name"][len(prefix):]))
    n = 0
    while n in used:
        n += 1
    return n


def new_if(h, name, **more):
    i = {"name": name, "index": free_index(h), "mtu": 1500, "up": False, "groups": []}
    i.update(more)
    h["interfaces"].append(i)
    return i


def vids(vs):
    """A VLAN set as ifconfig prints it: ascending, runs as a-b."""
    vs = sorted(vs)
    out, k = [], 0
    while k < len(vs):
        j = k
        while j + 1 < len(vs) and vs[j + 1] == vs[j] + 1:
            j += 1
        out.append(str(vs[k]) if j == k else f"{vs[k]}-{vs[j]}")
        k = j + 1
    return ",".join(out)


def status(h, i):
    up = "UP," if i.get("up") else ""
    print(f"{i['name']}: flags=8843<{up}BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu {i['mtu']}")
    if i.get("ether"):
        print(f"\tether {i['ether']}")
    for a in i.get("addrs") or []:
        print(f"\tinet {a}")
    if i.get("cloner") == "bridge":
        flags = "1<VLANFILTER>" if i.get("vlanfilter") else "0<>"
        print(f"\tbridge flags={flags}")
        for m in i.get("members") or []:
            mi = find(h, m) or {}
            print(f"\tmember: {m} flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>")
            line = f"\t        port {mi.get('index', 0)} priority 128 path cost 2000"
            if release(h) >= 15:
                line += " vlan protocol 802.1q"
                if mi.get("pvid"):
                    line += f" untagged {mi['pvid']}"
                if mi.get("tagged"):
                    line += f" tagged {vids(mi['tagged'])}"
            print(line)
    if i.get("groups"):
        print("\tgroups: " + " ".join(i["groups"]))


def destroy(h, i):
    gone = {i["name"]}
    if i.get("cloner") == "epair" and i.get("peer"):
        gone.add(i["peer"])
    h["interfaces"] = [x for x in h["interfaces"] if x["name"] not in gone]
    for x in h["interfaces"]:
        if x.get("members") is not None:
            x["members"] = [m for m in x["members"] if m not in gone]


def ifconfig(args, jail=None):
    h = load()
    if args == ["-l"]:
        print(" ".join(i["name"] for i in ifaces(h, jail)))
        return
    if args[:1] == ["-g"]:
        for i in ifaces(h, jail):
            if args[1] in i.get("groups", []):
                print(i["name"])
        return
    name, rest = args[0], args[1:]
    if rest == ["create"]:
        if name == "tap":
            n = free_unit(h, "tap", None)
            new_if(h, f"tap{n}", ether=f"58:9c:fc:aa:00:{n:02x}", groups=["tap"])
            print(f"tap{n}")
        elif name == "epair":
            if "if_epair" not in modules(h):
                modules(h).append("if_epair")
            n = free_unit(h, "epair", "epair")
            for end, other in (("a", "b"), ("b", "a")):
                new_if(h, f"epair{n}{end}", cloner="epair", unit=n, peer=f"epair{n}{other}",
                       ether=f"02:00:00:00:{n:02x}:0{end}", groups=["epair"])
            print(f"epair{n}a")
        elif name == "bridge":
            if "if_bridge" not in modules(h):
                modules(h).append("if_bridge")
            n = free_unit(h, "bridge", "bridge")
            new_if(h, f"bridge{n}", cloner="bridge", unit=n, members=[],
                   ether=f"58:9c:fc:10:00:{n:02x}", groups=["bridge"])
            print(f"bridge{n}")
        else:
            die(f"SIOCIFCREATE2 ({name}): Invalid argument")
        save(h)
        return
    i = find(h, name, jail)
    if i is None:
        die(f"interface {name} does not exist")
    if not rest:
        status(h, i)
        return
    while rest:
        w = rest.pop(0)
        if w == "destroy":
            destroy(h, i)
        elif w == "name":
            new = rest.pop(0)
            for x in h["interfaces"]:
                if x.get("peer") == i["name"]:
                    x["peer"] = new
                if x.get("members") is not None:
                    x["members"] = [new if m == i["name"] else m for m in x["members"]]
            i["name"] = new
            print(new)
        elif w == "inet":
            i.setdefault("addrs", []).append(rest.pop(0))
        elif w == "inet6":
            rest.clear()  # ifdisabled -auto_linklocal: no address
        elif w == "ether":
            i["ether"] = rest.pop(0)
        elif w == "up":
            i["up"] = True
        else:
            die(f"{w}: not in this fake")
    save(h)


def member_ifaddrs(h):
    """net.link.bridge.member_ifaddrs, if it exists now."""
    if "if_bridge" not in modules(h):
        return None
    s = h.get("sysctl") or {}
    if "net.link.bridge.member_ifaddrs" in s:
        return s["net.link.bridge.member_ifaddrs"]
    return 1 if release(h) == 15 else None


def sysctl(args):
    h = load()
    quiet = args[:1] in (["-n"], ["-N"])
    names = args[1:] if quiet else args
    for a in names:
        name, _, value = a.partition("=")
        if name == "kern.osreldate":
            cur = (h.get("sysctl") or {}).get(name, release(h) * 100000)
        elif name == "net.link.bridge.member_ifaddrs":
            cur = member_ifaddrs(h)
        else:
            cur = None
        if cur is None:
            die(f"unknown oid '{name}'")
        if value:
            h.setdefault("sysctl", {})[name] = int(value)
            save(h)
            print(f"{name}: {cur} -> {value}")
        elif args[0] == "-N":
            print(name)
        elif quiet:
            print(cur)
        else:
            print(f"{name}: {cur}")


def jails(h):
    return h.setdefault("jails", [])


def main():
    if PROG == "uname":
        print({"-s": "FreeBSD", "-r": "15.0-RELEASE"}.get(ARGS[0] if ARGS else "-s", "FreeBSD"))
    elif PROG == "id":
        print(0)
    elif PROG == "file":
        print("ELF 64-bit LSB executable, x86-64, statically linked")
    elif PROG == "pgrep":
        sys.exit(1)  # no syslogd here
    elif PROG == "ifconfig":
        ifconfig(ARGS)
    elif PROG == "sysctl":
        sysctl(ARGS)
    elif PROG == "kldstat":
        sys.exit(0 if ARGS[-1] in modules(load()) else 1)
    elif PROG == "kldunload":
        h = load()
        modules(h).remove(ARGS[0])
        save(h)
    elif PROG == "jls":
        h = load()
        if ARGS[:1] == ["-j"]:
            sys.exit(0 if any(j["name"] == ARGS[1] for j in jails(h)) else 1)
        for j in jails(h):
            print(j["jid"])
    elif PROG == "jail":
        h = load()
        if ARGS[0] == "-c":
            p = dict(a.partition("=")[::2] for a in ARGS[1:])
            jid = max([j["jid"] for j in jails(h)] + [0]) + 1
            jails(h).append({"name": p["name"], "jid": jid})
            i = find(h, p["vnet.interface"])
            if i is None:
                die(f"{p['name']}: ifconfig {p['vnet.interface']} vnet: failed")
            i["vnet"] = p["name"]
            if i.get("peer"):
                pass
        elif ARGS[0] == "-r":
            h["jails"] = [j for j in jails(h) if j["name"] != ARGS[1]]
            for i in h["interfaces"]:
                if i.get("vnet") == ARGS[1]:
                    del i["vnet"]
        save(h)
    elif PROG == "jexec":
        jail, cmd = ARGS[0], ARGS[1:]
        if cmd[0] == "ifconfig":
            ifconfig(cmd[1:], jail=jail)
        elif cmd[0] == "ping":
            h = load()
            if not any(i.get("addrs") for i in ifaces(h, jail)):
                die("sendto: No route to host", 2)
            print("3 packets transmitted, 3 packets received, 0.0% packet loss")
    else:
        die("not faked")


main()
