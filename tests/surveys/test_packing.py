import pytest

from kerne.surveys.packing import answers_matrix, pack_answers, unpack_answers


def test_pack_round_trip_keeps_missing_as_zero():
    packed = pack_answers({0: 5, 2: 1, 3: None}, 4)
    assert packed == bytes([5, 0, 1, 0])
    assert unpack_answers(packed) == {0: 5, 2: 1}


def test_pack_refuses_options_outside_the_scale_and_unknown_items():
    with pytest.raises(ValueError, match="not an option"):
        pack_answers({0: 6}, 2)
    with pytest.raises(ValueError, match="outside"):
        pack_answers({2: 3}, 2)


def test_matrix_pads_short_rows_from_older_item_counts():
    matrix = answers_matrix([bytes([1, 2]), bytes([3, 4, 5])], 3)
    assert matrix.tolist() == [[1, 2, 0], [3, 4, 5]]
