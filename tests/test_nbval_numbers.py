"""The sanitizer through which nbval compares the notebooks' outputs."""

from __future__ import annotations

from nbval_numbers import round_decimals, sanitize


def test_decimals_are_rounded_to_three_significant_digits() -> None:
    assert round_decimals("FD 1319.625050, recall 0.000, KID -7.472340") == "FD 1.32e+03, recall 0, KID -7.47"
    assert round_decimals("1319.645571") == round_decimals("1319.625050")
    assert round_decimals("1329.6") != round_decimals("1319.6")  # a change in the third digit shows


def test_integers_versions_and_identifiers_are_left_alone() -> None:
    text = "500 samples, 10 classes, torch 2.13.0, sha256 0a1b2c3d, vae_mlp, step_12"
    assert round_decimals(text) == text


def test_what_differs_between_executions_is_masked() -> None:
    a = sanitize('ok in 12.3 s on cpu (2 threads) <td id="T_5a74b_row0_col1">0.1234</td> at 0x7f3a2b1c9d40')
    b = sanitize('ok in 9 s on cpu (16 threads) <td id="T_aadaa_row0_col1">0.1231</td> at 0x7f00aa11bb22')
    assert a == b == 'ok in <SECONDS> s on cpu (N threads) <td id="T_<ID>_row0_col1">0.123</td> at 0x<ADDRESS>'
    assert sanitize("FD 0.124") != sanitize("FD 0.123")
    assert sanitize("7 runs · commit 0140c9b") == sanitize("7 runs · commits 0140c9b+dirty, bd9cc66") \
        == "7 runs · commit <COMMIT>"
    assert sanitize("a commitment") == "a commitment"


def test_times_and_their_ratios_are_masked_whatever_their_width() -> None:
    a = sanitize("model   train s  relative\ndcgan   0.1234 s    0.35×\nrbm     1.2e-05 s   12×")
    b = sanitize("model  train s   relative\ndcgan  12.5 s    1.4×\nrbm    0.003 s   9.9×")
    assert a == b == "model train s relative\ndcgan <SECONDS> s <RATIO>×\nrbm <SECONDS> s <RATIO>×"
    assert sanitize("FD ratio 2.5x") != sanitize("FD ratio 3.5x")  # an FD ratio (plain x) is compared


def test_values_read_at_a_timed_budget_are_masked_and_no_other() -> None:
    a = sanitize("dcgan ~812.4 [790.1, 830.0] 500.2 [480.0, 510.9]\nrbm ~1000.5 (1 seed) 900.1 (1 seed)")
    b = sanitize("dcgan ~799.0 [770.2, 801.3] 500.2 [480.0, 510.9]\nrbm ~1200.0 (1 seed) 900.1 (1 seed)")
    assert a == b == "dcgan ~<TIMED> 500 [480, 511]\nrbm ~<TIMED> 900 (1 seed)"
    assert sanitize("dcgan ~8 500.2") != sanitize("dcgan ~8 600.2")


def test_the_machine_a_time_was_measured_on_is_masked_and_what_precedes_it_is_not() -> None:
    amd = sanitize("timed on cpu (2 threads); AMD EPYC 7R13 Processor; AVX2; kernels capped at avx2 (chapter)")
    intel = sanitize("timed on cpu (8 threads); Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz; AVX-512; "
                     "kernels not capped (chapter)")
    assert amd == intel == "timed on cpu (N threads); <MACHINE> (chapter)"
    assert sanitize("the machine kept: AMD EPYC; AVX2; kernels capped at avx2") == "the machine kept: <MACHINE>"
    assert sanitize("FD 12; AVX2 is fast") == "FD 12; AVX2 is fast"  # not a machine's description
