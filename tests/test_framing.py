"""The client-side packet reader: bytes in, packets out, no sockets."""
import pytest

from ESL.protocol.framing import MAX_CONTENT_LENGTH, PacketReader, ProtocolError
from ESL.protocol.headers import split_outer


def packets(*chunks):
    reader = PacketReader()
    out = []
    for chunk in chunks:
        reader.feed(chunk)
        while True:
            packet = reader.next_packet()
            if packet is None:
                break
            out.append(packet)
    return out, reader


def test_reply_without_body():
    [p], reader = packets(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
    assert p.content_type == "command/reply"
    assert p.body is None
    assert p.header("reply-text") == "+OK accepted"
    assert reader.buffered() == 0


def test_body_exactly_content_length_and_rest_kept():
    data = b"Content-Type: api/response\nContent-Length: 3\n\nabcContent-Type: x\n\n"
    got, reader = packets(data)
    assert [(p.content_type, p.body) for p in got] == [("api/response", "abc"), ("x", None)]


def test_every_split_point_gives_the_same_packets():
    data = (b"Content-Length: 5\nContent-Type: text/event-plain\n\nhello"
            b"Content-Type: command/reply\r\nReply-Text: +OK\n\r\n"
            b"Content-Type: api/response\nContent-Length: 0\n\n")
    whole, _ = packets(data)
    assert [p.body for p in whole] == ["hello", None, ""]
    for cut in range(1, len(data)):
        parts, reader = packets(data[:cut], data[cut:])
        assert [(p.head, p.body) for p in parts] == [(p.head, p.body) for p in whole]
    byte_by_byte, _ = packets(*[data[i:i + 1] for i in range(len(data))])
    assert [(p.head, p.body) for p in byte_by_byte] == [(p.head, p.body) for p in whole]


def test_crlf_terminator_and_cr_kept_in_values():
    [p], _ = packets(b"Content-Type: auth/request\r\n\r\n")
    assert p.content_type == "auth/request\r"


def test_content_length_parsed_like_atol_and_first_wins():
    [p], _ = packets(b"Content-Length: 3abc\nContent-Length: 9\n\nxyz")
    assert p.body == "xyz"


def test_content_length_limits():
    [p], _ = packets(b"Content-Length: %d\n\n" % MAX_CONTENT_LENGTH + b"x" * MAX_CONTENT_LENGTH)
    assert len(p.body) == MAX_CONTENT_LENGTH
    for bad in (b"-1", b"%d" % (MAX_CONTENT_LENGTH + 1)):
        reader = PacketReader()
        reader.feed(b"Content-Length: " + bad + b"\n\n")
        with pytest.raises(ProtocolError):
            reader.next_packet()


def test_body_cut_at_nul_and_invalid_utf8_escaped():
    [p, q], _ = packets(b"Content-Length: 5\n\nab\x00cd" + b"Content-Length: 2\n\n\xff\xfe")
    assert p.body == "ab"
    assert q.body == "\udcff\udcfe"


def test_oversized_header_block_and_nul_are_protocol_errors():
    reader = PacketReader(max_header_block=100)
    reader.feed(b"X: " + b"a" * 200)
    with pytest.raises(ProtocolError):
        reader.next_packet()
    reader = PacketReader()
    reader.feed(b"X: a\x00b\n\n")
    with pytest.raises(ProtocolError):
        reader.next_packet()


def test_header_lines_split_like_the_c_client():
    assert split_outer("A: 1\nB:\t 2\r\nbogus line\nC: 3\n\n") == [
        ("A", "1"), ("B", "2\r"), ("bogus line\nC", "3")]


def test_empty_value_hides_earlier_headers():
    [p], _ = packets(b"Content-Type: a\nContent-Type:\n\n")
    assert p.content_type is None
