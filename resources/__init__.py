"""Files bundled with Activation Lab (data sets, icons, presets), read via importlib.resources.

This is a package only so that ``importlib.resources.files("resources")`` finds the files in a
source checkout, an installed wheel and a PyInstaller bundle alike; it holds no code.
"""
