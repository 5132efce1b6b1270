#!/usr/bin/python3
"""Drives python3-dbusmock's bluez5 template for the btleplug tests (run with
DBUS_SYSTEM_BUS_ADDRESS pointing at the test's private bus).

  fake_bluez.py wait                      wait until org.bluez is on the bus
  fake_bluez.py adapter                   add adapter hci0
  fake_bluez.py device ADDR NAME          add a Lovense-like device with a GATT service (tx, rx);
                                          writing "DeviceType;" to tx notifies
                                          "Z:11:0082059AD3BD;" on rx
  fake_bluez.py writes ADDR               print every WriteValue payload to tx, one per line (hex)
  fake_bluez.py disconnect ADDR           drop the connection (as if the toy went away)
  fake_bluez.py advertise ADDR            change the RSSI (an advertisement while scanning)
"""

import sys
import time

import dbus

BUS = 'org.bluez'
MOCK = 'org.freedesktop.DBus.Mock'
SERVICE = '5a300001-0023-4bd4-bbd5-a6920e4c5653'
TX = '5a300002-0023-4bd4-bbd5-a6920e4c5653'
RX = '5a300003-0023-4bd4-bbd5-a6920e4c5653'


def bus():
    return dbus.SystemBus()


def device_path(addr):
    return '/org/bluez/hci0/dev_' + addr.replace(':', '_').upper()


def mock(b, path):
    return dbus.Interface(b.get_object(BUS, path), MOCK)


def bluez_mock(b):
    return dbus.Interface(b.get_object(BUS, '/org/bluez'), 'org.bluez.Mock')


def main():
    cmd = sys.argv[1]
    if cmd == 'wait':
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if bus().name_has_owner(BUS):
                    return
            except dbus.exceptions.DBusException:
                pass
            time.sleep(0.05)
        sys.exit('org.bluez did not appear')
    b = bus()
    if cmd == 'adapter':
        bluez_mock(b).AddAdapter('hci0', 'host')
    elif cmd == 'device':
        addr, name = sys.argv[2], sys.argv[3]
        path = bluez_mock(b).AddDevice('hci0', addr, name)
        svc = path + '/service0010'
        tx = svc + '/char0011'
        rx = svc + '/char0013'
        root = mock(b, '/')
        root.AddObject(svc, 'org.bluez.GattService1', {
            'UUID': dbus.String(SERVICE, variant_level=1),
            'Device': dbus.ObjectPath(path, variant_level=1),
            'Primary': dbus.Boolean(True, variant_level=1),
        }, [
            # An interface without methods is listed after the child nodes in dbusmock's
            # introspection XML, which bluez-async's parser rejects; one method keeps it in place.
            ('Unused', '', '', ''),
        ])
        answer = ("objects['%s'].EmitSignal('org.freedesktop.DBus.Properties', 'PropertiesChanged',"
                  " 'sa{sv}as', ['org.bluez.GattCharacteristic1', {'Value': dbus.Array("
                  "[dbus.Byte(c) for c in b'Z:11:0082059AD3BD;'], signature='y', variant_level=1)}, []])"
                  % rx)
        write_code = "if bytes(args[0]) == b'DeviceType;':\n    " + answer
        root.AddObject(tx, 'org.bluez.GattCharacteristic1', {
            'UUID': dbus.String(TX, variant_level=1),
            'Service': dbus.ObjectPath(svc, variant_level=1),
            'Flags': dbus.Array(['write', 'write-without-response'], signature='s', variant_level=1),
            'Value': dbus.Array([], signature='y', variant_level=1),
        }, [
            ('WriteValue', 'aya{sv}', '', write_code),
            ('ReadValue', 'a{sv}', 'ay', "ret = dbus.Array([], signature='y')"),
        ])
        root.AddObject(rx, 'org.bluez.GattCharacteristic1', {
            'UUID': dbus.String(RX, variant_level=1),
            'Service': dbus.ObjectPath(svc, variant_level=1),
            'Flags': dbus.Array(['read', 'notify'], signature='s', variant_level=1),
            'Value': dbus.Array([], signature='y', variant_level=1),
            'Notifying': dbus.Boolean(False, variant_level=1),
        }, [
            ('StartNotify', '', '', ''),
            ('StopNotify', '', '', ''),
            ('ReadValue', 'a{sv}', 'ay', "ret = dbus.Array([dbus.Byte(85)], signature='y')"),
        ])
        mock(b, path).UpdateProperties('org.bluez.Device1', {
            'ServicesResolved': dbus.Boolean(True, variant_level=1),
        })
    elif cmd == 'writes':
        tx = device_path(sys.argv[2]) + '/service0010/char0011'
        for _, method, args in mock(b, tx).GetCalls():
            if method == 'WriteValue':
                print(bytes(args[0]).hex())
    elif cmd == 'disconnect':
        device = b.get_object(BUS, device_path(sys.argv[2]))
        dbus.Interface(device, 'org.bluez.Device1').Disconnect()
    elif cmd == 'advertise':
        path = device_path(sys.argv[2])
        rssi = -40 - int(time.time() * 1000) % 20
        mock(b, path).UpdateProperties('org.bluez.Device1', {
            'RSSI': dbus.Int16(rssi, variant_level=1),
        })
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
