"""Pure-Python drop-in replacement for FreeSWITCH's SWIG-built ESL module."""
from setuptools import find_packages, setup

setup(
    name="esl-python",
    version="0.1.0",
    description="Pure-Python FreeSWITCH Event Socket Library: a drop-in replacement for the SWIG ESL module, with an event-socket simulator",
    long_description=open("README.md", encoding="utf-8").read() if __import__("os").path.exists("README.md") else "",
    long_description_content_type="text/markdown",
    license="MIT",
    packages=find_packages(include=["ESL", "ESL.*"]),
    package_data={"ESL": ["py.typed"]},
    python_requires=">=3.8",
    install_requires=[],
    entry_points={"console_scripts": []},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Communications :: Telephony",
    ],
)
