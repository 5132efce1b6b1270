# Drives a Buttplug server with the real Python client from PyPI (buttplug 1.0.0, spec v4).
# Usage: python client.py <ws-url>
# Prints one JSON line with what the client saw; exits non-zero on any failure.
import asyncio
import json
import sys

from buttplug import ButtplugClient, DeviceOutputCommand, OutputType


async def main(url: str) -> None:
    client = ButtplugClient("interop buttplug-py")
    added: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_added(device) -> None:
        if not added.done():
            added.set_result(device)

    client.on_device_added = on_added
    await asyncio.wait_for(client.connect(url), 5)
    device = next(iter(client.devices.values()), None)
    if device is None:
        await client.start_scanning()
        device = await asyncio.wait_for(added, 10)
        await client.stop_scanning()
    await device.run_output(DeviceOutputCommand(OutputType.VIBRATE, 0.5))
    battery = await device.battery()
    await device.stop()
    name = device.name
    await client.disconnect()
    print(json.dumps({"name": name, "battery": battery}))


asyncio.run(main(sys.argv[1]))
