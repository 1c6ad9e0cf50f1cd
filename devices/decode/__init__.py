"""Reading codes in camera frames: the decoders behind the ``Decoder`` port and the station's pipeline.

``gray`` (luminance), ``decoders`` (zxing-cpp plain, pyzbar, OpenCV, the chain), ``pipeline`` (the
multi-pass zxing-cpp pipeline the station uses), ``report``
(``kiosk diag decode``). The chain the config names is built by ``devices.factory``.
"""
