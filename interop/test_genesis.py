"""genesis (asyncio) against the simulator: inbound api, bgapi, events, originate through its
Channel API (create_uuid, filter, originate with origination_uuid, uuid_dump), and an
outbound handler served by genesis' Outbound server."""
import asyncio

from conftest import PASSWORD, free_port
from genesis import Channel, Consumer, Inbound, Outbound


def run(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def test_api_and_bgapi(sim_port):
    async def scenario():
        async with Inbound("127.0.0.1", sim_port, PASSWORD) as client:
            status = await client.send("api status")
            assert status.body.startswith("UP 0 years, 0 days")
            jobs = asyncio.Queue()

            async def on_job(event):
                jobs.put_nowait(event)
            client.on("BACKGROUND_JOB", on_job)
            await client.send("event plain BACKGROUND_JOB")
            reply = await client.send("bgapi uptime")
            assert reply["Reply-Text"].startswith("+OK Job-UUID: ")
            job = await asyncio.wait_for(jobs.get(), 10)
            assert job["Job-UUID"] == reply["Job-UUID"]
            assert job.body.strip().isdigit()
    run(scenario())


def test_events_and_a_channel_it_originates(sim_port):
    async def scenario():
        async with Inbound("127.0.0.1", sim_port, PASSWORD) as client:
            answered = asyncio.Queue()

            async def on_answer(event):
                answered.put_nowait(event)
            client.on("CHANNEL_ANSWER", on_answer)
            # create_uuid, then "filter Unique-ID <uuid>" and originate with that
            # origination_uuid: only the A leg's events pass the filter.
            channel = await Channel.create(client, "loopback/9998/default",
                                           variables={"interop_mark": "genesis"})
            answer = await asyncio.wait_for(answered.get(), 10)
            assert answer["Unique-ID"] == channel.uuid
            assert answer["Channel-Name"] == "loopback/9998-a"
            # get_channel reads the channel back with uuid_dump.
            again = await client.get_channel(channel.uuid)
            assert again.uuid == channel.uuid
            assert (await client.send("api uuid_getvar %s interop_mark" % channel.uuid)
                    ).body == "genesis"
            await channel.hangup()
            await channel.wait("CHANNEL_HANGUP_COMPLETE", timeout=10)
            for _ in range(250):   # gone once destroyed, just after HANGUP_COMPLETE
                if (await client.send("api uuid_exists %s" % channel.uuid)).body == "false":
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the channel outlived its hangup")
    run(scenario())


def test_outbound_handler(sim_port):
    port = free_port()
    handled = []

    async def handler(session):
        await session.channel.answer()
        await session.channel.playback("tone_stream://%(100,0,440)")
        handled.append((session.uuid, session.context.get("Caller-Destination-Number")))
        await session.channel.hangup()

    async def scenario():
        server = Outbound(handler, host="127.0.0.1", port=port)
        await server.start(block=False)
        try:
            async with Inbound("127.0.0.1", sim_port, PASSWORD) as client:
                hangups = asyncio.Queue()

                async def on_hangup(event):
                    hangups.put_nowait(event)
                client.on("CHANNEL_HANGUP_COMPLETE", on_hangup)
                await client.send("event plain CHANNEL_HANGUP_COMPLETE")
                result = await client.send("api originate loopback/9998/default "
                                           "&socket(127.0.0.1:%d async full)" % port)
                assert result.body.startswith("+OK ")
                uuid = result.body[4:].strip()
                legs = {(await asyncio.wait_for(hangups.get(), 10))["Unique-ID"]
                        for _ in range(2)}
                assert uuid in legs
                assert handled == [(uuid, "9998")]
        finally:
            await server.stop()
    run(scenario())


def test_outbound_ivr_says_reads_digits_and_hears_dtmf(sim_port):
    port = free_port()
    log = []

    async def handler(session):
        channel = session.channel
        heard = []

        @channel.on_dtmf()
        async def on_digit(digit):
            heard.append(digit)
        await channel.answer()
        said = await channel.say("123")
        log.append(("say", said["Application"]))
        await channel.log("INFO", "genesis was here")
        got = await channel.play_and_get_digits(
            tries=1, timeout=5000, terminators="#", file="tone_stream://%(200,0,600)",
            minimal=1, maximum=3, var_name="digits", regexp="\\d+",
            invalid_file="silence_stream://100")
        log.append(("digits", got["variable_digits"]))
        for _ in range(100):
            if len(heard) == 3:
                break
            await asyncio.sleep(0.02)
        log.append(("dtmf", heard))
        await channel.hangup()

    async def scenario():
        server = Outbound(handler, host="127.0.0.1", port=port)
        await server.start(block=False)
        try:
            async with Inbound("127.0.0.1", sim_port, PASSWORD) as client:
                created, hangups, reading = asyncio.Queue(), asyncio.Queue(), asyncio.Queue()

                async def on_create(event):
                    created.put_nowait(event["Unique-ID"])

                async def on_execute(event):
                    if event["Application"] == "play_and_get_digits":
                        reading.put_nowait(event)

                async def on_hangup(event):
                    hangups.put_nowait(event)
                client.on("CHANNEL_CREATE", on_create)
                client.on("CHANNEL_HANGUP_COMPLETE", on_hangup)
                client.on("CHANNEL_EXECUTE", on_execute)
                await client.send("event plain CHANNEL_CREATE CHANNEL_EXECUTE "
                                  "CHANNEL_HANGUP_COMPLETE")
                uuid = (await client.send("api originate loopback/9998/default "
                                          "&socket(127.0.0.1:%d async full)" % port)
                        ).body[4:].strip()
                legs = {await asyncio.wait_for(created.get(), 10) for _ in range(2)}
                partner = (legs - {uuid}).pop()
                # Digits sent to the loopback partner reach the A-leg the handler drives,
                # once it reads them (the async socket's park drops digits, as FreeSWITCH's).
                assert (await asyncio.wait_for(reading.get(), 10))["Unique-ID"] == uuid
                assert (await client.send("api uuid_send_dtmf %s 42#" % partner)
                        ).body.startswith("+OK")
                for _ in range(2):
                    await asyncio.wait_for(hangups.get(), 15)
                assert log == [("say", "say"), ("digits", "42"), ("dtmf", ["4", "2", "#"])]
        finally:
            await server.stop()
    run(scenario())


def test_consumer_and_uuid_bridge(sim_port):
    async def scenario():
        consumer = Consumer("127.0.0.1", sim_port, PASSWORD)
        bridged = asyncio.Queue()

        @consumer.handle("CHANNEL_BRIDGE")
        async def on_bridge(event):
            bridged.put_nowait(event)
        consuming = asyncio.create_task(consumer.start())
        try:
            async with Inbound("127.0.0.1", sim_port, PASSWORD) as client:
                for _ in range(250):   # the consumer has subscribed once it is connected
                    if consumer.protocol.is_connected:
                        break
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.2)
                first = await Channel.create(client, "loopback/9998/default")
                second = await Channel.create(client, "loopback/9998/default")
                # Channel.bridge from an inbound connection is api uuid_bridge.
                reply = await first.bridge(second)
                assert reply.body.startswith("+OK")
                event = await asyncio.wait_for(bridged.get(), 10)
                assert {event["Bridge-A-Unique-ID"], event["Bridge-B-Unique-ID"]} == \
                    {first.uuid, second.uuid}
                await first.hangup()
                await second.hangup()
        finally:
            await consumer.stop()
            consuming.cancel()
    run(scenario())
