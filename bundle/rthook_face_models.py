"""PyInstaller runtime hook: face_recognition_models, as the bundle carries it.

face_recognition loads every model that face_recognition_models names as soon as it is
imported, dlib's 68-point landmark model (100 MB, trained on data whose licence excludes
commercial use) among them, although the app only uses the 5-point model (face_encodings'
default, model="small"). The bundle leaves the 68-point file out, and this stand-in for the
package names the 5-point file in its place, so the import succeeds and no worker holds 100 MB
it never uses. It also finds the files without pkg_resources, which the bundle leaves out.
"""
import os
import sys
import types

_MODELS = os.path.join(sys._MEIPASS, "face_recognition_models", "models")


def _model(name):
    return lambda: os.path.join(_MODELS, name)


_stand_in = types.ModuleType("face_recognition_models", "dlib's models, as bundled (see the runtime hook).")
_stand_in.pose_predictor_five_point_model_location = _model("shape_predictor_5_face_landmarks.dat")
_stand_in.pose_predictor_model_location = _model("shape_predictor_5_face_landmarks.dat")  # 68-point: left out
_stand_in.face_recognition_model_location = _model("dlib_face_recognition_resnet_model_v1.dat")
_stand_in.cnn_face_detector_model_location = _model("mmod_human_face_detector.dat")
sys.modules["face_recognition_models"] = _stand_in
